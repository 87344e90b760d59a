"""The layering rules (docs/architecture.md): that pyproject's import-linter contracts, run by
`make test`, catch what they claim to (each on a violation planted in a copy of the package), and
the rules an import graph cannot see."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
PACKAGE = PROJECT / "kinderwijkraad"
# Session keys of the login and of the cookie components (ui/state.py, ui/auth.py).
LOGIN_WIDGET_KEYS = ("authentication_status", "username", "name", "roles", "email", "logout", "init", "set",
                     "delete")

# (module file, a line planted at its end, the contract that must then break)
PLANTED = [
    ("services/common.py", "import kinderwijkraad.ui.state", "Layers:"),
    ("models/common.py", "import kinderwijkraad.db", "Layers:"),
    ("services/common.py", "import kinderwijkraad.pages.home", "Nothing imports pages"),
    ("charts.py", "import streamlit", "Only app.py, pages and ui import streamlit"),
    ("backup.py", "import streamlit", "Only app.py, pages and ui import streamlit"),
    ("pages/home.py", "import sqlmodel", "Pages reach the database only through services"),
    ("models/common.py", "import fpdf", "Models import only SQLModel and the standard library"),
    ("exports/tables.py", "import sqlalchemy", "Exports are pure renderers"),
    ("voting/tally.py", "import sqlmodel", "Counting is pure"),
    ("ui/format.py", "import kinderwijkraad.db", "ui reaches the database only through ui.database"),
    ("ui/format.py", "import sqlmodel", "ui reaches the database only through ui.database"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("module", "line", "contract"), PLANTED, ids=[f"{m}:{c}" for m, _, c in PLANTED])
def test_each_import_contract_breaks_on_a_planted_violation(tmp_path, module, line, contract):
    shutil.copytree(PACKAGE, tmp_path / "kinderwijkraad", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT / "pyproject.toml", tmp_path)
    with (tmp_path / "kinderwijkraad" / module).open("a", encoding="utf-8") as source:
        source.write(f"\n{line}  # planted\n")
    lint = subprocess.run([Path(sys.executable).parent / "lint-imports", "--no-cache"], cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(tmp_path)}, capture_output=True, text=True)
    contracts = tomllib.loads((PROJECT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    names = [c["name"] for c in contracts]
    (name,) = [name for name in names if name.startswith(contract)]
    report = " ".join(lint.stdout.split())  # the report wraps long contract names
    assert lint.returncode == 1 and f"{name} BROKEN" in report, lint.stdout[-3000:]


def _sources(folder: str = "") -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in (PACKAGE / folder).rglob("*.py")}


def test_raw_html_is_used_only_for_our_own_constant_css_and_escaped_speakers():
    """style.py draws constants; speech.py escapes every text it puts in a speaker (tests/test_speech.py)."""
    offenders = sorted(str(p.relative_to(PACKAGE)) for p, text in _sources().items()
                       if "unsafe_allow_html" in text or "st.html(" in text)
    assert offenders == ["ui/speech.py", "ui/style.py"]


def test_the_schema_is_made_by_migrations_only():
    offenders = [p.name for p, text in _sources().items() if "create_all(" in text]
    assert offenders == []


def test_no_widget_of_ours_uses_a_key_of_the_login_or_its_cookie_components():
    keys = set()
    for text in _sources().values():
        keys.update(re.findall(r"""key=["']([^"']+)["']""", text))
    assert keys.isdisjoint(LOGIN_WIDGET_KEYS)


def test_every_widget_key_of_a_page_is_namespaced():
    for path, text in _sources("pages").items():
        for key in re.findall(r"""key=["']([^"']+)["']""", text):
            assert "." in key, f"{path.name}: widget key {key!r} should read like 'page.widget'"


def test_every_fragment_and_every_tab_set_goes_through_its_one_helper():
    """A fragment reruns outside app.py's error boundary, so it takes ui.errors.fragment (which puts
    it inside); tabs take ui.tabs.place_tabs (a key, the address, only the open tab runs)."""
    fragments = [str(p.relative_to(PACKAGE)) for p, text in _sources().items()
                 if "st.fragment" in text and p.name != "errors.py"]
    tabs = [str(p.relative_to(PACKAGE)) for p, text in _sources().items()
            if "st.tabs(" in text and p.name != "tabs.py"]
    assert (fragments, tabs) == ([], [])


def test_pages_get_a_pdf_only_from_a_service():
    """One way to a PDF: a page or ui helper asks a service for the bytes and never calls a
    renderer in exports/ itself."""
    offenders = [str(p.relative_to(PACKAGE)) for folder in ("pages", "ui") for p, text in _sources(folder).items()
                 if re.search(r"from kinderwijkraad\.exports\S* import [^\n]*\brender_|"
                              r"from kinderwijkraad import exports|import kinderwijkraad\.exports", text)]
    assert offenders == []


def test_the_renderers_are_named_alike():
    """Every renderer in exports/ is `render_<thing>_<format>`; `csv_bytes` is the one generic helper."""
    names = {name for text in _sources("exports").values()
             for name in re.findall(r"^def ([a-z]\w*)\([^)]*\) -> bytes:", text, re.MULTILINE)}
    odd = sorted(n for n in names - {"csv_bytes"} if not re.fullmatch(r"render_\w+_(pdf|json|csv)", n))
    assert names and odd == []
