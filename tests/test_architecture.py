"""The layering rules of shared/DESIGN.md §4 that import-linter (run by `make test`) cannot see."""

from __future__ import annotations

import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "kinderwijkraad"
LIBRARY_WIDGET_KEYS = ("authentication_status", "username", "name", "roles", "email", "logout", "init", "set")


def _sources(folder: str = "") -> dict[Path, str]:
    return {path: path.read_text(encoding="utf-8") for path in (PACKAGE / folder).rglob("*.py")}


def test_pages_hold_no_database_session_and_no_query():
    offenders = [p.name for p, text in _sources("pages").items()
                 if re.search(r"\bSession\(|\bselect\(|session\.(exec|add)|create_engine", text)]
    assert offenders == []


def test_raw_html_is_used_only_for_our_own_constant_css():
    offenders = [str(p.relative_to(PACKAGE)) for p, text in _sources().items()
                 if "unsafe_allow_html" in text or "st.html(" in text]
    assert offenders == ["ui/style.py"]


def test_the_schema_is_made_by_migrations_only():
    offenders = [p.name for p, text in _sources().items() if "create_all(" in text]
    assert offenders == []


def test_no_widget_of_ours_uses_a_key_the_authenticator_library_owns():
    keys = set()
    for text in _sources().values():
        keys.update(re.findall(r"""key=["']([^"']+)["']""", text))
    assert keys.isdisjoint(LIBRARY_WIDGET_KEYS)


def test_every_widget_key_of_a_page_is_namespaced():
    for path, text in _sources("pages").items():
        for key in re.findall(r"""key=["']([^"']+)["']""", text):
            assert "." in key, f"{path.name}: widget key {key!r} should read like 'page.widget'"
