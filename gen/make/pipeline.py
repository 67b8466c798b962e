"""The one orchestrator: walk a spec down the flow, from YAML to promoted outputs.

``check_spec`` loads, derives and verifies; ``prepare`` renders the sheet into
a staging folder; ``typeset`` runs TeX there and promotes the outputs.
``build_spec`` does all three for one spec; ``gen.make.runner`` schedules
them for many (the TeX runs in parallel, the rest in the calling thread).
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from gen.derive.methods import derive
from gen.derive.steps import Derivation
from gen.errors import GenError, InternalError, Span
from gen.make import cache, formats, outputs
from gen.make.guard import guarded, inlined_size_error, render_within
from gen.make.latexmk import CompileResult, Engine, compile_pdf
from gen.make.lint import lint
from gen.make.options import BuildOptions, Outcome, Status
from gen.make.specs import find_specs, output_name
from gen.make.texformat import formats_dir
from gen.program import Program, build_program
from gen.render.results import derivation_json, results
from gen.render.sheet import default_templates_dir
from gen.render.templatefiles import confined, confinement_root
from gen.render.texchars import sheet_engine
from gen.render.view import sheet_context
from gen.spec.load import load_spec, load_spec_text
from gen.spec.model import Defaults, Method, Target
from gen.verify.numeric import agree, verify
from gen.verify.report import unverified_errors

if TYPE_CHECKING:
    from gen.make.texearly import EarlyRun

MAX_LOG_BYTES = 16 * 1024 * 1024  # of a failed run's TeX log kept in OUT/.gradsheet/logs

__all__ = ["Outcome", "build_spec", "check_spec", "derive_all", "find_specs", "prepare", "typeset"]


@dataclass
class Prepared:
    """A spec rendered into its staging folder, ready for TeX and promotion."""

    outcome: Outcome
    program: Program
    staging: Path
    files: list[str]
    tex: str
    folder: Path  # the template folder used
    key: str = ""  # the cache key of its inputs ("" when not known)
    engine: Engine = "pdflatex"  # the TeX engine its sheet needs (gen/render/texchars.py)
    templates_hash: str = ""  # the hash of the template folder's files, taken before rendering
    # the .tex files TeX compiles, by suffix (".tex", ".slides.tex", ...), in the formats' order
    typeset_tex: dict[str, str] = field(default_factory=dict)


def derive_all(program: Program) -> list[Derivation]:
    """Every target in every method it names, each verified; methods of one target compared."""
    derived = [
        verify(program, derive(program, target, method))
        for target in program.targets
        for method in target.methods
    ]
    return agree(program, derived)


def _derived(program: Program, target: Target, method: Method) -> Derivation:
    """One target derived by one method and checked numerically."""
    return verify(program, derive(program, target, method))


def check_spec(
    path: Path,
    *,
    timeout: float | None = None,
    exact: bool = False,
    text: str | None = None,
    defaults: Defaults | None = None,
) -> tuple[Program | None, list[Derivation], Outcome]:
    """Load, derive and verify one spec; nothing is written, nothing is raised.

    Args:
        path: The spec file (with ``text``: the name its messages give it).
        timeout: Seconds allowed to each derivation (in the main thread).
        exact: Also check each result exactly with SymPy (``check --exact``).
        text: The spec's YAML text, read instead of the file (the Python API's ``loads``).
        defaults: The layout and language of a spec that does not say (gradsheet.toml's).

    Returns:
        The program (None when the spec has errors), the derivations, and the outcome.
    """
    path = Path(path)
    name = output_name(path)
    where = Span(str(path))
    program, errors = guarded(
        lambda: build_program(
            load_spec(str(path), defaults)
            if text is None
            else load_spec_text(text, str(path), defaults)
        ),
        where,
        "reading the spec",
    )
    if program is None:
        return None, [], _failed(path, name, errors)
    too_big = inlined_size_error(program)
    if too_big is not None:
        return None, [], _failed(path, name, [too_big])
    derivations: list[Derivation] = []
    for target in program.targets:
        for method in target.methods:
            what = f"deriving d{target.of.value}/d{target.wrt.value} ({method.value})"
            done, errs = guarded(
                functools.partial(_derived, program, target, method), target.span, what, timeout
            )
            errors.extend(errs)
            if done is not None:
                derivations.append(done)
    agreed, errs = guarded(
        lambda: agree(program, derivations), where, "comparing the methods", timeout
    )
    errors.extend(errs)
    derivations = agreed if agreed is not None else derivations
    errors.extend(unverified_errors(derivations, functools.partial(_target_span, program)))
    exacts: list[dict[str, object] | None] = [None] * len(derivations)
    if exact:
        exacts = _exact_checks(program, derivations, errors, timeout)
    body, errs = guarded(
        lambda: [
            derivation_json(program, d, exact=x) for d, x in zip(derivations, exacts, strict=True)
        ],
        where,
        "writing the results",
    )
    errors.extend(errs)
    obj = results(name, program.spec.title.value, body or [], errors)
    outcome = Outcome(str(path), name, not errors, errors, obj, warnings=lint(program))
    outcome.internal = any(isinstance(e, InternalError) for e in errors)
    if errors:
        outcome.fail()
    return program, derivations, outcome


def _exact_checks(
    program: Program, derivations: list[Derivation], errors: list[GenError], timeout: float | None
) -> list[dict[str, object] | None]:
    """The exact check of each derivation (SymPy is imported only here, when asked)."""
    from gen.verify.exact import exact_check, exact_json

    out: list[dict[str, object] | None] = []
    for d in derivations:
        span = _target_span(program, d)
        what = f"checking d{d.of}/d{d.wrt} ({d.method.value}) exactly"
        done, errs = guarded(functools.partial(exact_check, program, d), span, what, timeout)
        errors.extend(errs)
        if done is None:
            out.append(None)
            continue
        if done.ok is False:
            errors.append(
                GenError(
                    f"d{d.of}/d{d.wrt} ({d.method.value}) failed its exact check: {done.detail}",
                    span,
                )
            )
        out.append(exact_json(done))
    return out


def template_folder(program: Program, override: Path | None) -> tuple[Path | None, GenError | None]:
    """The template folder of a spec: ``--templates``, else its ``template:``, else the default.

    A folder needs only the templates it overrides (the renderer takes the
    others from the shipped ones).

    Returns:
        ``(folder, None)``, or ``(None, error)`` when the folder is missing
        (located at the ``template:`` key when the spec named it).
    """
    spec = program.spec
    if override is not None:
        folder, span = override, Span(str(override))
    elif spec.template is not None:
        folder = Path(spec.path).parent / spec.template.value
        span = spec.template.span
    else:
        return default_templates_dir(), None
    if not folder.is_dir():
        return None, GenError(f"template folder not found: {folder}", span)
    if override is None and not confined(folder, Path(spec.path)):
        return None, GenError(
            f"template folder {folder} is outside "
            f"{confinement_root(Path(spec.path))}, the folder that holds the "
            "spec's folder; a spec's templates must lie inside it "
            "(docs/templates.md)",
            span,
        )
    return folder, None


def prepare(
    path: Path, options: BuildOptions, staging: Path, *, key: str = ""
) -> Prepared | Outcome:
    """Check one spec and render its outputs into ``staging``.

    Returns:
        The prepared spec, or the failed outcome (nothing staged that matters).
    """
    program, derivations, outcome = check_spec(
        path, timeout=options.timeout, defaults=options.defaults
    )
    if program is None or not outcome.ok:
        return outcome
    folder, error = template_folder(program, options.templates)
    if folder is None:
        return outcome.fail(error or GenError("no template folder", Span(str(path))))
    try:
        templates_hash = cache.folder_hash(folder, options.out_dir)
    except (cache.CacheError, OSError) as exc:
        return outcome.fail(GenError(f"cannot use the template folder: {exc}", Span(str(path))))
    context, errs = guarded(
        lambda: sheet_context(program, derivations), Span(str(path)), "preparing the sheet"
    )
    if context is None:
        outcome.internal = any(isinstance(e, InternalError) for e in errs)
        return outcome.fail(*errs)
    sources = formats.Sources(context, outcome.results, folder, options.heading)
    try:
        staged = render_within(
            lambda: formats.stage(sources, options.formats), options.timeout, folder
        )
    except GenError as err:  # a limit passed: too long, too large
        return outcome.fail(err)
    except Exception as exc:  # noqa: BLE001 - shown in the template, or as a bug
        if _in_template(exc):
            from gen.make.texmap import template_error

            return outcome.fail(template_error(exc, folder))
        _, errs = guarded(_reraise(exc), Span(str(path)), "rendering the sheet")
        outcome.internal = True
        return outcome.fail(*errs)
    name = outcome.name
    staging.mkdir(parents=True, exist_ok=True)
    for suffix, text in staged.items():
        outputs.write_text(staging / f"{name}{suffix}", text)
    files = [f"{name}{suffix}" for suffix in staged]
    tex = staged.get(".tex", "")
    compiled = {s: staged[s] for s in formats.typeset_suffixes(options.formats) if s in staged}
    return Prepared(
        outcome,
        program,
        staging,
        files,
        tex,
        folder,
        key,
        sheet_engine(context),
        templates_hash,
        typeset_tex=compiled,
    )


def typeset(
    prepared: Prepared,
    options: BuildOptions,
    *,
    cancelled: object = None,
    early: EarlyRun | None = None,
) -> Outcome:
    """Run TeX on a prepared spec (when ``options.typesets``) and promote its outputs.

    Promotes nothing when TeX fails, or when ``--strict`` meets a warning, or
    when ``cancelled`` (a ``threading.Event``) is set. Without TeX installed the
    ``.tex`` and ``.json`` are promoted and the status says so. ``early`` is a TeX
    run started before the spec was derived (``gen.make.texearly``), used if it fits.
    """
    outcome = prepared.outcome
    name, files = outcome.name, list(prepared.files)
    pdf_made = False
    if options.typesets:
        for suffix, tex in prepared.typeset_tex.items():
            made = _compile_one(prepared, options, suffix, tex, cancelled, early)
            if isinstance(made, GenError):
                return outcome.fail(made)
            if made:
                files.append(f"{name}{formats.pdf_suffix(suffix)}")
            pdf_made = made
    if options.strict and outcome.warnings:
        count = len(outcome.warnings)
        return outcome.fail(
            GenError(
                f"{count} warning{'s' if count > 1 else ''}, and --strict makes warnings fail the "
                "build",
                Span(outcome.path),
            )
        )
    if _is_set(cancelled):
        return outcome.fail(GenError("interrupted", Span(outcome.path)))
    try:
        with outputs.signals_deferred():
            outcome.written = outputs.promote(prepared.staging, options.out_dir, name, files)
            if prepared.key:
                _remember(prepared, options, files, pdf_made)
    except (OSError, ValueError, cache.CacheError) as exc:
        return outcome.fail(
            GenError(f"cannot write the outputs of {name}: {exc}", Span(outcome.path))
        )
    outcome.status = Status.BUILT if pdf_made or not options.typesets else Status.NO_TEX
    return outcome


def _compile_one(
    prepared: Prepared,
    options: BuildOptions,
    suffix: str,
    tex: str,
    cancelled: object,
    early: EarlyRun | None = None,
) -> bool | GenError:
    """Typeset one staged ``.tex`` file into the PDF of the same name, in the staging folder.

    Its warnings join the outcome's, each naming the file (``NAME.slides.tex``).

    Returns:
        Whether the PDF was made (False: TeX is not installed), or the error that stops the
        build (TeX failed, or the build was cancelled).
    """
    outcome = prepared.outcome
    stem = f"{outcome.name}{suffix.removesuffix('.tex')}"
    # TeX's messages name this file: the mapping sees its text, the messages its name.
    view = replace(prepared, tex=tex, outcome=replace(outcome, name=stem))
    work = prepared.staging / "tex"  # the sheet's; each other file a folder of its own within
    if suffix != ".tex":
        work = work / suffix.strip(".").replace(".", "-")
    work.mkdir(parents=True, exist_ok=True)
    outputs.write_text(work / "sheet.tex", tex)
    compiled = compile_pdf(
        work / "sheet.tex",
        engine=prepared.engine,
        timeout=options.timeout,
        formats=formats_dir(options.out_dir),
        early=early,
    )
    if _is_set(cancelled):
        return GenError("interrupted", Span(outcome.path))
    if compiled.warnings:  # located in the spec and the templates: read only when needed
        from gen.make.texerrors import tex_warnings

        outcome.warnings.extend(tex_warnings(compiled.warnings, view, options.out_dir))
    if compiled.ok and compiled.pdf is not None:
        compiled.pdf.replace(prepared.staging / f"{stem}.pdf")
        return True
    if _tex_missing(compiled):
        return False
    _keep_failure(view, compiled, options.out_dir)
    from gen.make.texerrors import tex_failure

    return tex_failure(compiled, view, options.out_dir)


def build_spec(
    path: Path,
    out_dir: Path,
    *,
    pdf: bool = True,
    templates: Path | None = None,
    to: tuple[str, ...] = formats.DEFAULT_FORMATS,
) -> Outcome:
    """Check one spec, render it, compile it, and promote its outputs only if all succeeded.

    ``to`` names the formats to write (gen/make/formats.py).
    """
    options = BuildOptions(Path(out_dir), pdf=pdf, templates=templates, formats=formats.ordered(to))
    start = time.monotonic()
    with staging(Path(out_dir)) as folder:
        prepared = prepare(Path(path), options, folder / "spec")
        outcome = prepared if isinstance(prepared, Outcome) else typeset(prepared, options)
    outcome.seconds = time.monotonic() - start
    return outcome


class staging:  # noqa: N801 - used as a context manager, like a function
    """A private staging folder under ``OUT/.gradsheet/tmp``, removed on exit."""

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        self.path: Path | None = None

    def __enter__(self) -> Path:
        parent = cache.cache_dir(self.out_dir, "tmp")
        self.path = Path(tempfile.mkdtemp(prefix=f"run-{os.getpid()}-", dir=parent))
        return self.path

    def __exit__(self, *exc: object) -> None:
        if self.path is not None:
            shutil.rmtree(self.path, ignore_errors=True)


def _in_template(exc: Exception) -> bool:
    """Whether ``exc`` is Jinja's, or was raised while a template was running."""
    import jinja2

    if isinstance(exc, jinja2.TemplateError):
        return True
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            return True
        tb = tb.tb_next
    return False


def _reraise(exc: Exception) -> Callable[[], None]:
    def again() -> None:
        raise exc

    return again


def _is_set(event: object) -> bool:
    is_set = getattr(event, "is_set", None)
    return bool(is_set()) if callable(is_set) else False


def _tex_missing(compiled: CompileResult) -> bool:
    from gen.make.latexmk import TEX_MISSING

    return compiled.log_excerpt == TEX_MISSING


def _keep_failure(prepared: Prepared, compiled: CompileResult, out_dir: Path) -> None:
    """Keep the failed run's .tex and log in ``OUT/.gradsheet/logs`` for the user to read."""
    try:
        logs = cache.cache_dir(out_dir, "logs")
        name = prepared.outcome.name
        outputs.write_text(logs / f"{name}.tex", prepared.tex)
        if compiled.log_path is not None and compiled.log_path.is_file():
            outputs.write_bytes(
                logs / f"{name}.log", outputs.read_head(compiled.log_path, MAX_LOG_BYTES)
            )
    except (OSError, cache.CacheError):
        pass


def _remember(prepared: Prepared, options: BuildOptions, files: list[str], pdf: bool) -> None:
    """Write the manifest that makes the next build of this spec a no-op."""
    out_dir = options.out_dir
    manifest = cache.Manifest(
        key=prepared.key,
        templates=str(prepared.folder.resolve()),
        templates_hash=prepared.templates_hash or cache.folder_hash(prepared.folder, out_dir),
        pdf=pdf,
        outputs=cache.stamp(out_dir, files),
        warnings=[warning_json(w) for w in prepared.outcome.warnings],
    )
    cache.write_manifest(out_dir, prepared.outcome.name, manifest)
    for stale in ("tex", "log"):
        (out_dir / cache.CACHE_DIR / "logs" / f"{prepared.outcome.name}.{stale}").unlink(
            missing_ok=True
        )


def warning_json(err: GenError) -> dict[str, object]:
    """A warning as a manifest keeps it (enough to print it again with its caret)."""
    span = err.span or Span(None)
    return {
        "message": err.message,
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "length": span.length,
        "source": span.source_line,
    }


def _failed(path: Path, name: str, errors: list[GenError]) -> Outcome:
    outcome = Outcome(str(path), name, False, errors, results(name, "", [], errors))
    outcome.internal = any(isinstance(e, InternalError) for e in errors)
    return outcome.fail()


def _target_span(program: Program, d: Derivation) -> Span:
    """Where the spec asks for ``d``: its target, else the spec file."""
    return d.target.span if d.target is not None else Span(program.spec.path)
