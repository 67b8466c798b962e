"""The one orchestrator: walk a spec down the flow, from YAML to promoted outputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gen.build.latexmk import compile_pdf
from gen.build.outputs import promote, staging_dir, write_text
from gen.derive.methods import derive
from gen.derive.steps import Derivation
from gen.errors import GenError, GenErrors, Span
from gen.program import Program, build_program
from gen.render.results import derivation_json, dumps, results
from gen.render.sheet import render_tex
from gen.render.view import sheet_context
from gen.spec.load import load_spec
from gen.verify import agree, verify

SPEC_SUFFIXES = (".yaml", ".yml")


@dataclass
class Outcome:
    """What became of one spec."""

    path: str
    name: str
    ok: bool
    errors: list[GenError] = field(default_factory=list)
    results: dict[str, Any] = field(default_factory=dict)
    written: list[str] = field(default_factory=list)


def find_specs(paths: list[str]) -> tuple[list[Path], list[GenError]]:
    """The spec files named, or found (sorted) in the folders named."""
    found: list[Path] = []
    errors: list[GenError] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            found.extend(sorted(q for q in p.iterdir() if q.suffix in SPEC_SUFFIXES))
        elif p.is_file():
            found.append(p)
        else:
            errors.append(GenError(f"no such spec file or folder: {raw}", Span(raw)))
    return found, errors


def derive_all(program: Program) -> list[Derivation]:
    """Every target in every method it names, each verified."""
    derived = [verify(program, derive(program, target, method))
               for target in program.targets for method in target.methods]
    return agree(program, derived)


def check_spec(path: Path) -> tuple[Program | None, list[Derivation], Outcome]:
    """Load, derive and verify one spec; nothing is written."""
    name = path.stem
    try:
        program = build_program(load_spec(str(path)))
    except GenErrors as errs:
        return None, [], _failed(path, name, errs.errors)
    try:
        derivations = derive_all(program)
    except GenError as err:
        return program, [], _failed(path, name, [err])
    errors = [_unverified(program, d) for d in derivations if not (d.check and d.check.numeric)]
    body = [derivation_json(program, d) for d in derivations]
    obj = results(name, program.spec.title.value, body, errors)
    return program, derivations, Outcome(str(path), name, not errors, errors, obj)


def build_spec(path: Path, out_dir: Path, *, pdf: bool = True,
               templates: Path | None = None) -> Outcome:
    """Check one spec, render it, compile it, and promote its outputs only if all succeeded."""
    program, derivations, outcome = check_spec(path)
    if program is None or not outcome.ok:
        return outcome
    tex, body = render_tex(sheet_context(program, derivations), templates)
    name = outcome.name
    with staging_dir() as staging:
        write_text(staging / f"{name}.tex", tex)
        write_text(staging / f"{name}.body.tex", body)
        write_text(staging / f"{name}.json", dumps(outcome.results))
        files = [f"{name}.tex", f"{name}.body.tex", f"{name}.json"]
        if pdf:
            work = staging / "tex"
            work.mkdir()
            write_text(work / "sheet.tex", tex)
            engine = "xelatex" if program.spec.lang == "zh" else "pdflatex"
            compiled = compile_pdf(work / "sheet.tex", engine=engine)
            if not compiled.ok or compiled.pdf is None:
                outcome.ok = False
                outcome.errors.append(GenError(
                    f"LaTeX failed on {name}.tex: {compiled.log_excerpt}", Span(str(path))))
                return outcome
            compiled.pdf.replace(staging / f"{name}.pdf")
            files.append(f"{name}.pdf")
        outcome.written = promote(staging, out_dir, name, files)
    return outcome


def _failed(path: Path, name: str, errors: list[GenError]) -> Outcome:
    return Outcome(str(path), name, False, errors, results(name, "", [], errors))


def _unverified(program: Program, d: Derivation) -> GenError:
    check = d.check
    detail = check.message if check and check.message else (
        f"max relative error {check.max_rel_error:.3g}" if check else "not checked")
    target = next(t for t in program.targets if t.of.value == d.of and t.wrt.value == d.wrt)
    return GenError(
        f"d{d.of}/d{d.wrt} ({d.method.value}) failed its numeric check: {detail}; "
        "it is not printed", target.span)
