"""bench/dashboard.py runs end to end in a reduced mode (a few wijken, one run), so the benchmark
cannot rot unnoticed: it builds its history, checks the figures and the statement count, and
times the page for all wijken and for one."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "dashboard.py"


@pytest.mark.slow
def test_dashboard_bench_runs_and_checks_its_figures(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--engine", "sqlite", "--wijken", "12", "--years", "2", "--runs", "1",
         "--sqlite-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert "check figures OK" in lines
    figures = json.loads(lines[-1])
    assert (figures["wijken"], figures["years"], figures["cycles"]) == (12, 2, 24)
    assert figures["verified"] is True and figures["measured"] == "page"
    assert figures["national_ms"] > 0 and figures["one_wijk_ms"] > 0 and figures["ratio"] > 0
    assert figures["national_service_ms"] > 0 and figures["statements"] <= 10
