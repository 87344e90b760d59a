"""`kinderwijkraad tally`: a CSV of ballots in, the count as JSON out, clear errors with exit code 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kinderwijkraad.cli import main

# Five children rank the ideas; one hands in a blank ballot (the empty row).
BALLOTS = "speeltuin,café\ncafé,bankje\n\nspeeltuin\n bankje , café ,\n"


@pytest.fixture
def ballots_csv(tmp_path: Path) -> Path:
    path = tmp_path / "stemmen.csv"
    path.write_text(BALLOTS, encoding="utf-8")
    return path


def tally(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict, str]:
    code = main(["tally", *args])
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else {}), err


def test_tally_prints_the_instant_runoff_count_as_json(capsys, ballots_csv):
    code, data, _ = tally(capsys, "--method", "irv", str(ballots_csv))
    assert code == 0
    assert data["method"] == "irv"
    assert data["ballots"] == 5  # the blank row counts as a ballot
    assert data["scores"] == {"bankje": 1, "café": 1, "speeltuin": 2}
    # Round 1: 2 of 4 is no majority; bankje and café share the fewest and go together, so their
    # ballots (each naming only the other) are exhausted and speeltuin has 2 of 2.
    assert data["rounds"] == [{"bankje": 1, "café": 1, "speeltuin": 2}, {"speeltuin": 2}]
    assert data["winners"] == ["speeltuin"]
    assert data["ranking"] == ["speeltuin", "bankje", "café"]
    assert set(data) == {"method", "ballots", "scores", "rounds", "ranking", "places", "winners"}


def test_tally_borda_takes_k(capsys, ballots_csv):
    code, data, _ = tally(capsys, "--method", "borda", "--k", "1", str(ballots_csv))
    assert code == 0
    assert data["scores"] == {"bankje": 1, "café": 1, "speeltuin": 2}
    assert "rounds" not in data
    code, data, _ = tally(capsys, "--method", "borda", str(ballots_csv))
    assert data["scores"] == {"bankje": 3, "café": 4, "speeltuin": 4}
    assert data["winners"] == ["café", "speeltuin"]


def test_tally_approval_and_dots(capsys, ballots_csv):
    assert tally(capsys, "--method", "approval", str(ballots_csv))[1]["scores"] == {
        "bankje": 2,
        "café": 3,
        "speeltuin": 2,
    }
    assert tally(capsys, "--method", "dots", str(ballots_csv))[1]["winners"] == ["café"]


def test_tally_refuses_a_missing_file_with_exit_code_2(capsys, tmp_path):
    code, _, err = tally(capsys, "--method", "plurality", str(tmp_path / "nope.csv"))
    assert code == 2
    assert "cannot read" in err and "nope.csv" in err


def test_tally_refuses_a_bad_row_with_exit_code_2(capsys, tmp_path):
    path = tmp_path / "gap.csv"
    path.write_text("a,b\na,,b\n", encoding="utf-8")
    code, _, err = tally(capsys, "--method", "plurality", str(path))
    assert code == 2 and "line 2" in err
    path.write_text("a,b,a\n", encoding="utf-8")
    code, _, err = tally(capsys, "--method", "irv", str(path))
    assert code == 2 and "more than once" in err


def test_tally_refuses_a_file_that_is_not_utf8(capsys, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes("café\n".encode("latin-1"))
    code, _, err = tally(capsys, "--method", "plurality", str(path))
    assert code == 2 and "cannot read" in err


def test_tally_refuses_k_for_a_method_other_than_borda(capsys, ballots_csv):
    code, _, err = tally(capsys, "--method", "irv", "--k", "2", str(ballots_csv))
    assert code == 2 and "--k" in err
    code, _, err = tally(capsys, "--method", "borda", "--k", "0", str(ballots_csv))
    assert code == 2 and "k >= 1" in err


def test_the_installed_command_runs_tally(ballots_csv):
    command = Path(sys.executable).with_name("kinderwijkraad")
    done = subprocess.run(
        [str(command), "tally", "--method", "plurality", str(ballots_csv)],
        capture_output=True,
        check=False,
        encoding="utf-8",
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert "café" in done.stdout  # printed as UTF-8, not as \u escapes
    assert data["scores"] == {"bankje": 1, "café": 1, "speeltuin": 2}
    assert data["winners"] == ["speeltuin"]
