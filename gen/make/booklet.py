"""``gradsheet booklet``: many specs derived, checked and typeset into one book (PDF and .tex).

Every spec must derive and check; a booklet with a failed spec is not written, and the
previous booklet stays as it was. The booklet's .tex and PDF are staged inside the output
folder and promoted together, like a spec's outputs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gen.errors import GenError, Span
from gen.make import outputs
from gen.make.latexmk import Engine, compile_pdf
from gen.make.options import BOOKLET_TIMEOUT
from gen.make.pipeline import check_spec, template_folder
from gen.make.texformat import formats_dir
from gen.render.booklet import Chapter, booklet_engine, booklet_tex, chapter
from gen.render.view import sheet_context
from gen.spec.model import Defaults

DEFAULT_TIMEOUT = BOOKLET_TIMEOUT


@dataclass
class Booklet:
    """What a booklet build gave: its errors, or the files it wrote (unchanged ones are not)."""

    ok: bool
    errors: list[GenError] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    chapters: int = 0
    warnings: list[str] = field(default_factory=list)  # TeX's: overfull boxes, ...


def make_booklet(
    specs: list[Path],
    target: Path,
    title: str,
    *,
    templates: Path | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    pdf: bool = True,
    write: bool = True,
    defaults: Defaults | None = None,
) -> Booklet:
    """Derive, check and typeset ``specs`` (in that order) into ``target`` (a .pdf path).

    ``target.with_suffix('.tex')`` is written beside it. With ``pdf`` False, only the
    .tex is written (TeX is not run). With ``write`` False, nothing is written at all:
    the specs are derived and checked, and ``written`` names what would be written.
    ``defaults`` gives a spec without ``layout:`` or ``lang:`` the project's (gradsheet.toml).
    """
    chapters: list[Chapter] = []
    errors: list[GenError] = []
    for path in specs:
        program, derivations, outcome = check_spec(path, timeout=timeout, defaults=defaults)
        if program is None or not outcome.ok:
            errors.extend(outcome.errors or [GenError("the spec failed", Span(str(path)))])
            continue
        folder, problem = template_folder(program, templates)
        if folder is None:
            errors.append(problem or GenError("no template folder", Span(str(path))))
            continue
        chapters.append(chapter(sheet_context(program, derivations), folder))
    if errors:
        return Booklet(False, errors)
    tex = booklet_tex(chapters, title)
    out_dir, stem = target.parent, target.stem
    if not write:
        would = [target.with_suffix(".tex")] + ([target] if pdf else [])
        return Booklet(True, written=would, chapters=len(chapters))
    out_dir.mkdir(parents=True, exist_ok=True)
    with outputs.staging_dir(out_dir) as staging:
        outputs.write_text(staging / f"{stem}.tex", tex)
        files = [f"{stem}.tex"]
        if pdf:
            engine: Engine = "xelatex" if booklet_engine(chapters) == "xelatex" else "pdflatex"
            done = compile_pdf(
                staging / f"{stem}.tex",
                engine=engine,
                timeout=timeout,
                formats=formats_dir(out_dir),
            )
            if not done.ok:
                where = f" (line {done.line} of {stem}.tex)" if done.line else ""
                message = f"LaTeX failed on the booklet{where}: {done.log_excerpt}"
                return Booklet(False, [GenError(message, Span(str(target)))])
            files.append(f"{stem}.pdf")
            warnings = [w.message for w in done.warnings]
        else:
            warnings = []
        written = outputs.promote(staging, out_dir, stem, files)
    return Booklet(
        True, written=[out_dir / f for f in written], chapters=len(chapters), warnings=warnings
    )
