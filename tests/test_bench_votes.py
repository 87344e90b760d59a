"""bench/votes.py runs end to end in a reduced mode, so the benchmark cannot rot unnoticed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "votes.py"


@pytest.mark.slow
def test_votes_bench_runs_and_checks_its_ballots(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH), "--engine", "sqlite", "--voters", "4", "--ballots", "24", "--rounds", "2",
         "--solo", "3", "--count-ballots", "300", "--count-repeats", "1", "--sqlite-dir", str(tmp_path)],
        capture_output=True, text=True, timeout=180, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.strip().splitlines()
    assert any("check service" in line and line.endswith("OK") for line in lines)
    figures = json.loads(lines[-1])
    assert figures["verified"] is True
    assert figures["ballots_per_s"] > 0 and figures["floor_per_s"] > 0 and figures["ratio"] > 0
    assert {"plurality", "approval", "borda", "irv", "dots"} <= set(figures["count_100k_ms"])
