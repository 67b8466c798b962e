"""Every test file under tests/ is collected by the README's test command (issue 9).

pytest skips folders named ``build`` (and others in ``norecursedirs``) without a word;
a test file that is never collected is worse than none, so this asks pytest itself.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_runs_the_tests_with_plain_pytest():
    readme = (ROOT / "README.md").read_text()
    assert "python3 -m pytest -q" in readme
    assert "python3 -m pytest -q" in (ROOT / ".ci" / "run").read_text()


def test_every_test_file_is_collected():
    files = sorted(
        p.relative_to(ROOT).as_posix()
        for p in (ROOT / "tests").rglob("*.py")
        if p.name.startswith("test_") or p.name.endswith("_test.py")
    )
    assert len(files) > 30
    out = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    collected = {line.split("::", 1)[0] for line in out.stdout.splitlines() if "::" in line}
    missing = [f for f in files if f not in collected]
    assert not missing, f"never collected by `python3 -m pytest -q`: {missing}"
