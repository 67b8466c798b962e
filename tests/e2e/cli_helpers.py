"""Shared helpers of the command-line tests: small specs, running the CLI, looking at folders."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SMALL = """\
title: {title}
variables:
  X: {{shape: [m, n], text: design matrix, props: [constant]}}
  w: {{shape: [n], text: weights}}
  y: {{shape: [m], props: [constant]}}
define:
  r: X*w - y
  J: 1/2 * r'*r
derive:
  - of: J
    wrt: w
"""


def small(folder: Path, name: str = "ls", title: str = "Least squares") -> Path:
    """Write a small one-derivation spec ``folder/name.yaml``."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(SMALL.format(title=title), "utf-8")
    return path


def tree(folder: Path) -> dict[str, bytes | None]:
    """Every file (bytes) and folder (None) below ``folder``, by relative path."""
    out: dict[str, bytes | None] = {}
    for path in sorted(Path(folder).rglob("*")):
        rel = str(path.relative_to(folder))
        out[rel] = path.read_bytes() if path.is_file() and not path.is_symlink() else None
    return out


def outputs(out: Path) -> dict[str, bytes]:
    """The visible output files of a folder (the cache folder aside)."""
    return {
        p.name: p.read_bytes()
        for p in sorted(Path(out).iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def mtimes(out: Path) -> dict[str, int]:
    """The mtime of every visible output file."""
    return {
        p.name: p.stat().st_mtime_ns
        for p in sorted(Path(out).iterdir())
        if p.is_file() and not p.name.startswith(".")
    }


def gradsheet(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m gen ARGS`` as a user would, capturing its output."""
    full = dict(os.environ if env is None else env)
    full["PYTHONPATH"] = str(ROOT) + os.pathsep + full.get("PYTHONPATH", "")
    return subprocess.run(
        [sys.executable, "-m", "gen", *args],
        cwd=cwd,
        env=full,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def processes_below(folder: Path) -> list[str]:
    """Live processes whose working folder lies below ``folder``."""
    found = []
    prefix = str(Path(folder).resolve())
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cwd = os.readlink(proc / "cwd")
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if cwd.startswith(prefix) and state != "Z":
            found.append(f"{proc.name}: {cwd}")
    return found
