"""The command line speaks one language: English (the rule is in kinderwijkraad/cli.py's docstring).

Two checks: the messages written in the code of the command line and of the backups are English
(a scan of their string literals for Dutch words), and a domain error a command prints comes from
the English catalogue, however the app's default language is set.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kinderwijkraad import cli
from kinderwijkraad.config import get_settings
from kinderwijkraad.i18n import t

SOURCES = [Path(cli.__file__), Path(cli.__file__).with_name("backup.py")]
# Words that give a Dutch sentence away and are not English words.
DUTCH = re.compile(r"\b(de|het|een|niet|geen|en|van|voor|naar|wordt|worden|zijn|is er|kan|moet|met|bij|"
                   r"bestand|bestanden|map|gegevens|terug|opnieuw|database is beschadigd|wachtwoord)\b",
                   re.IGNORECASE)
# Not messages: names of things, and the data the command line writes for the app's Dutch screens.
NOT_MESSAGES = {"Beheerder"}


def _literals(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module that reads as a sentence, except docstrings and comments."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef) and node.body
                  and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
                and " " in node.value.strip() and node.value not in NOT_MESSAGES):
            found.append((node.lineno, node.value))
    return found


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_the_command_lines_own_messages_are_english(path):
    dutch = [(line, text) for line, text in _literals(path) if DUTCH.search(text)]
    assert not dutch, f"Dutch in {path.name}: {dutch}"


def test_every_translated_text_the_command_line_prints_is_asked_for_in_its_language():
    tree = ast.parse(SOURCES[0].read_text(encoding="utf-8"))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
             and node.func.id == "t"]
    untold = [node.lineno for node in calls if not any(k.arg == "language" for k in node.keywords)]
    # The one exception: the retention run's label, shown on the (Dutch) Privacy page.
    assert len(untold) == 1 and "privacy.by_command_line" in ast.get_source_segment(
        SOURCES[0].read_text(encoding="utf-8"), next(n for n in calls if n.lineno == untold[0]))


def test_a_domain_error_is_printed_in_english(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KWR_DATA_DIR", str(tmp_path / "empty"))
    get_settings.cache_clear()
    try:
        missing = tmp_path / "no-such-backup.tar"
        assert cli.main(["restore", str(missing)]) == 2
        printed = capsys.readouterr().err.strip()
        assert printed == t("restore.missing_file", language="en", file=str(missing))
        assert printed != t("restore.missing_file", language="nl", file=str(missing))

        assert cli.main(["backup", str(tmp_path / "backups"), "--keep", "0"]) == 2
        printed = capsys.readouterr().err.strip()
        assert printed == t("backup.keep_range", language="en") != t("backup.keep_range", language="nl")
    finally:
        get_settings.cache_clear()
