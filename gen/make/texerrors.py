"""TeX's errors and warnings as gradsheet errors: located in the spec or template, kept short."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from gen.errors import GenError, Span, TexError
from gen.make.cache import CACHE_DIR
from gen.make.latexmk import CompileResult
from gen.make.texlog import TexWarning
from gen.make.texmap import Locator, Origin
from gen.render.sheet import default_templates_dir

if TYPE_CHECKING:
    from gen.make.pipeline import Prepared


_LOG_TAIL = ("Here is how much", "No pages of output", "Transcript written")


def _folders(prepared: Prepared) -> list[Path]:
    folders = [prepared.folder]
    try:
        default = default_templates_dir()
    except FileNotFoundError:
        return folders
    return folders if default.resolve() == prepared.folder.resolve() else [*folders, default]


def _logs(out_dir: Path) -> Path:
    return Path(out_dir) / CACHE_DIR / "logs"


def _where(origins: list[Origin], path: str) -> tuple[Span, str]:
    """The primary span and the words that name it."""
    if origins:
        return origins[0].span, f" (in {origins[0].what})"
    return Span(path), ""


def tex_failure(compiled: CompileResult, prepared: Prepared, out_dir: Path) -> TexError:
    """The error for a failed TeX run, at the spec item or template line it traces back to.

    The notes give the generated line (in the copy of the ``.tex`` kept under
    ``OUT/.gradsheet/logs``), the other origins found, the first error of the
    log with a few lines of context, and the path of the whole log.
    """
    outcome = prepared.outcome
    name = outcome.name
    origins = Locator(prepared.tex, prepared.program.spec, _folders(prepared)).locate(
        compiled.line, compiled.before)
    span, what = _where(origins, outcome.path)
    headline = compiled.message or compiled.log_excerpt.splitlines()[0] \
        if compiled.log_excerpt else "TeX failed"
    err = TexError(f"LaTeX failed{what}: {headline}", span)
    notes: list[str] = []
    logs = _logs(out_dir)
    if compiled.line is not None:
        rows = prepared.tex.splitlines()
        row = rows[compiled.line - 1].strip() if compiled.line <= len(rows) else ""
        notes.append(f"  generated line {logs / (name + '.tex')}:{compiled.line}: {row[:160]}")
    for origin in origins[1:]:
        where = origin.span
        notes.append(f"  from {origin.what}: {where.file}:{where.line}")
    excerpt = compiled.log_excerpt.replace("sheet.tex:", f"{name}.tex:").splitlines()
    cut = next((i for i, row in enumerate(excerpt) if row.startswith(_LOG_TAIL)), len(excerpt))
    if excerpt[:cut]:
        notes.append("  TeX says:")
        notes.extend(f"    {row}" for row in excerpt[:cut])
    if compiled.log_path is not None:
        notes.append(f"  full log: {logs / (name + '.log')}")
    err.notes = "\n".join(notes)
    return err


def tex_warnings(warnings: Iterable[TexWarning], prepared: Prepared,
                 out_dir: Path) -> list[GenError]:
    """TeX's warnings, each located like an error (the sheet indexed once for all of them)."""
    locator = Locator(prepared.tex, prepared.program.spec, _folders(prepared))
    return [tex_warning(w, prepared, out_dir, locator) for w in warnings]


def tex_warning(warning: TexWarning, prepared: Prepared, out_dir: Path,
                locator: Locator | None = None) -> GenError:
    """A TeX warning, located like an error; its message names the generated line."""
    if locator is None:
        locator = Locator(prepared.tex, prepared.program.spec, _folders(prepared))
    origins = locator.locate(warning.line)
    span, what = _where(origins, prepared.outcome.path)
    at = f" at line {warning.line} of {prepared.outcome.name}.tex" if warning.line else ""
    return GenError(f"LaTeX{what}: {warning.message}{at}", span, kind="warning")
