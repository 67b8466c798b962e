"""The house style holds (issue 9): mypy, ruff's rules and ruff's formatter, and small modules.

They run here, in the README's test command, so that CI checks them on every submission;
a missing tool is a failure (they are in the ``test`` extras), never a skip.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ["gen", "tests", "bench", "docs"]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize(
    "command",
    [
        ("mypy",),
        ("ruff", "check", *CHECKED),
        ("ruff", "format", "--check", *CHECKED),
    ],
    ids=["mypy", "ruff-check", "ruff-format"],
)
def test_the_code_passes(command):
    done = _run(*command)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_module_is_over_500_lines():
    long = {
        str(p.relative_to(ROOT)): n
        for p in (ROOT / "gen").rglob("*.py")
        if (n := len(p.read_text().splitlines())) > 500
    }
    assert not long, long
