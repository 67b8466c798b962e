"""A plain build imports only what it uses: start-up is most of a one-sheet build."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

# Never needed to build a sheet's PDF, .tex, .body.tex and .json.
NOT_FOR_A_BUILD = (
    "sympy",
    "pylatex",
    "latex2mathml",
    "tomllib",
    "logging",  # concurrent.futures brought it; the runner's pool needs neither
    "concurrent.futures",
    "gen.api",
    "gen.verify.exact",
    "gen.verify.sympy_interp",
    "gen.render.html",
    "gen.render.markdown",
    "gen.render.mathml",
    "gen.render.slides",
    "gen.render.exercise",
    "gen.render.booklet",
    "gen.make.booklet",
    "gen.make.texerrors",  # only when TeX fails or warns
    "gen.make.texmap",
    "gen.cli.watch",
    "gen.cli.schema",
    "gen.cli.newspec",
    "gen.cli.clean",
    "gen.cli.dryrun",
    "gen.cli.docs",
)

_PROBE = """
import json, sys
from gen.cli.main import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "modules": sorted(sys.modules)}))
"""


def _build_modules(tmp_path: Path, written: str, *args: str) -> set[str]:
    """The modules a fresh process holds after ``gradsheet build`` (from a folder of no config)."""
    spec = ROOT / "specs" / "least-squares.yaml"
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "build", str(spec), "-o", "out", "-q", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["status"] == 0
    assert (tmp_path / "out" / written).is_file()
    return set(report["modules"])


def test_a_plain_build_imports_only_what_it_uses(tmp_path):
    modules = _build_modules(tmp_path, "least-squares.tex", "--no-pdf")
    assert {"gen.derive.methods", "gen.verify.numeric", "gen.render.sheet", "numpy"} <= modules
    assert sorted(modules & set(NOT_FOR_A_BUILD)) == []


def test_the_other_formats_still_import_their_writers(tmp_path):
    """The probe sees lazily imported modules: ``--to html`` brings the web page's writer."""
    modules = _build_modules(tmp_path, "least-squares.html", "--no-pdf", "--to", "html")
    assert {"gen.render.html", "gen.render.mathml", "latex2mathml"} <= modules
