"""Golden .tex and .json of small specs: reviewed snapshots of what a build writes.

After a deliberate change of the sheets, regenerate and review the diff:

    GRADSHEET_REGEN_GOLDEN=1 python3 -m pytest tests/golden
    git diff tests/golden/expected

Numeric errors (``max_rel_error`` and the errors printed on the sheet) vary in
their last digits with the machine's floating point, so they are written as
``<1e-6`` (or kept when not below it); everything else is compared exactly.
"""

from __future__ import annotations

import difflib
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from gen.derive.methods import derive
from gen.program import build_program
from gen.render.results import derivation_json, dumps, results
from gen.render.sheet import render_tex
from gen.render.view import sheet_context
from gen.spec.load import load_spec
from gen.verify.numeric import TOLERANCE, agree, verify

HERE = Path(__file__).resolve().parent
SPECS = sorted((HERE / "specs").glob("*.yaml"))
EXPECTED = HERE / "expected"
REGEN = os.environ.get("GRADSHEET_REGEN_GOLDEN", "") not in ("", "0")
SMALL = "<1e-6"
_TEX_ERROR = re.compile(r"\$(\d\.\d) \\times 10\^\{-(\d+)\}\$")


def build(spec: Path) -> dict[str, str]:
    """What a build writes for ``spec``: the sheet, the body and the results, normalised."""
    program = build_program(load_spec(str(spec.relative_to(HERE))))
    derivations = [
        verify(program, derive(program, t, m)) for t in program.targets for m in t.methods
    ]
    derivations = agree(program, derivations)
    assert all(d.check and d.check.numeric for d in derivations), spec.name
    obj = results(
        spec.stem, program.spec.title.value, [derivation_json(program, d) for d in derivations], []
    )
    tex, body = render_tex(sheet_context(program, derivations))
    return {".tex": _tex(tex), ".body.tex": _tex(body), ".json": dumps(_json(obj))}


def _tex(text: str) -> str:
    def small(m: re.Match[str]) -> str:
        return "$<1e-6$" if float(f"{m.group(1)}e-{m.group(2)}") < TOLERANCE else m.group(0)

    return _TEX_ERROR.sub(small, text)


def _json(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {
            k: (
                SMALL
                if k == "max_rel_error" and isinstance(v, float) and v < TOLERANCE
                else _json(v)
            )
            for k, v in obj.items()
        }
    if isinstance(obj, list):
        return [_json(v) for v in obj]
    return obj


@pytest.fixture(scope="module", params=SPECS, ids=lambda p: p.stem)
def outputs(request: pytest.FixtureRequest) -> tuple[str, dict[str, str]]:
    cwd = Path.cwd()
    os.chdir(HERE)  # spec paths in the outputs are relative, as a user types them
    try:
        return request.param.stem, build(request.param)
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("suffix", [".tex", ".json"])
def test_output_matches_the_reviewed_snapshot(outputs, suffix):
    name, made = outputs
    path = EXPECTED / f"{name}{suffix}"
    if REGEN:
        path.write_text(made[suffix], encoding="utf-8")
    assert path.is_file(), (
        f"no snapshot {path.name}: run GRADSHEET_REGEN_GOLDEN=1 pytest tests/golden"
    )
    want = path.read_text(encoding="utf-8")
    if made[suffix] != want:
        diff = "".join(
            difflib.unified_diff(
                want.splitlines(keepends=True),
                made[suffix].splitlines(keepends=True),
                f"expected/{path.name}",
                "now",
                n=2,
            )
        )
        pytest.fail(f"{path.name} changed (GRADSHEET_REGEN_GOLDEN=1 to accept):\n{diff[:4000]}")


def test_the_body_is_the_sheet_without_its_preamble(outputs):
    """The fragment is the sheet's body, in a group that first supplies what a host may
    lack (compat.tex.j2): between those, byte for byte what the sheet typesets."""
    _, made = outputs
    body = made[".body.tex"]
    opening = "\\ifdefined\\allowdisplaybreaks\\allowdisplaybreaks\\fi\n"
    assert body.count(opening) == 1 and body.endswith("\\endgroup\n")
    assert body.index("\\begingroup\n") < body.index(opening)
    inner = body.split(opening, 1)[1].removesuffix("\\endgroup\n")
    inner = inner.replace("\\gsheading", "\\subsection")  # the sheet's level
    assert inner.strip() and inner in made[".tex"]


def test_the_snapshots_are_valid_json_with_every_derivation(outputs):
    name, made = outputs
    obj = json.loads(made[".json"])
    assert obj["spec"] == name and obj["ok"] is True and obj["derivations"]
    assert all(d["verified"]["numeric"] for d in obj["derivations"])


def test_every_snapshot_has_a_spec():
    names = {p.name for p in EXPECTED.iterdir()}
    assert names == {p.stem + s for p in SPECS for s in (".tex", ".json")}
