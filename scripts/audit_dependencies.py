"""Known vulnerabilities in the locked dependencies (requirements.lock), with pip-audit.

Fails (exit 1) when pip-audit reports a vulnerability. pip-audit needs PyPI's per-version JSON API
or OSV; where neither answers (a mirror that serves only the package index, as on our build
machines) it can audit nothing and says each package was "not found". That is not a pass: this
script then prints how many packages went unaudited, and fails only when KWR_REQUIRE_AUDIT=true
(set it where the vulnerability service is reachable, so a broken network cannot hide a finding).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

LOCK = Path(__file__).resolve().parent.parent / "requirements.lock"


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "audit.json"
        done = subprocess.run(
            [sys.executable, "-m", "pip_audit", "--requirement", str(LOCK), "--no-deps", "--disable-pip",
             "--progress-spinner", "off", "--format", "json", "--output", str(report)],
            capture_output=True, text=True, check=False,
        )
        if not report.exists():
            print(done.stdout + done.stderr, file=sys.stderr)
            return 1
        dependencies = json.loads(report.read_text())["dependencies"]
    lines, code = verdict(dependencies, require=os.environ.get("KWR_REQUIRE_AUDIT", "").lower() == "true")
    print("\n".join(lines))
    return code


def verdict(dependencies: list[dict], *, require: bool) -> tuple[list[str], int]:
    """pip-audit's JSON dependencies → what to print and the exit code."""
    lines = []
    skipped = [d["name"] for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            lines.append(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})")
    audited = len(dependencies) - len(skipped)
    lines.append(f"pip-audit: {audited} of {len(dependencies)} locked packages audited, {len(vulnerable)} vulnerable")
    if skipped:
        lines.append(f"NOT AUDITED ({len(skipped)}): the vulnerability service did not know them or did not answer: "
                     + ", ".join(skipped[:8]) + (" …" if len(skipped) > 8 else ""))
    return lines, 1 if vulnerable or (skipped and require) else 0


if __name__ == "__main__":
    raise SystemExit(main())
