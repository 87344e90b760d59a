"""bench/dossier.py runs end to end with one run, so the benchmark cannot rot unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "dossier.py"


@pytest.mark.slow
def test_dossier_bench_runs_and_embeds_the_jpegs_as_they_are() -> None:
    done = subprocess.run([sys.executable, str(BENCH), "--runs", "1"], capture_output=True, text=True, timeout=180,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert any(line.startswith("floor (bare FPDF)") for line in lines)
    figures = json.loads(lines[-1])
    assert figures["dossier_ms"] > 0 and figures["floor_ms"] > 0 and figures["ratio"] > 0
    assert figures["pages"] >= 4 and figures["floor_pages"] >= 1
    assert figures["jpeg_passthrough"] is True
    assert figures["bytes"] > figures["photo_bytes"] > 10 * 50_000  # ten real photos went in
