"""scripts/audit_dependencies.py: a finding fails the build; an unreachable service is said, not passed off."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)

CLEAN = {"name": "fpdf2", "version": "2.8.9", "vulns": []}
VULNERABLE = {"name": "urllib3", "version": "1.26.0", "vulns": [
    {"id": "GHSA-v845-jxx5-vc9f", "fix_versions": ["1.26.18", "2.0.7"], "aliases": [], "description": "…"}]}
UNKNOWN = {"name": "streamlit", "version": "1.67.0", "skip_reason": "Dependency not found on PyPI"}


def test_a_vulnerable_locked_package_fails_and_is_named() -> None:
    lines, code = audit.verdict([CLEAN, VULNERABLE], require=False)
    assert code == 1
    assert "VULNERABLE urllib3 1.26.0: GHSA-v845-jxx5-vc9f (fixed in 1.26.18, 2.0.7)" in lines
    assert "2 locked packages audited, 1 vulnerable" in lines[-1]


def test_unaudited_packages_are_reported_and_fail_only_when_an_audit_is_required() -> None:
    lines, code = audit.verdict([CLEAN, UNKNOWN], require=False)
    assert code == 0
    assert "1 of 2 locked packages audited" in lines[0]
    assert lines[-1].startswith("NOT AUDITED (1)") and "streamlit" in lines[-1]
    assert audit.verdict([CLEAN, UNKNOWN], require=True)[1] == 1


def test_every_locked_line_is_an_exact_pin() -> None:
    lock = SCRIPT.parent.parent / "requirements.lock"
    pins = [line for line in lock.read_text().splitlines() if line and not line.startswith("#")]
    assert pins and all("==" in line for line in pins)
