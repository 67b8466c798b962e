"""``build --dry-run``: what a build would do, found without writing anything at all."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gen.errors import GenError, Span
from gen.make import cache
from gen.make.options import BuildOptions, Outcome
from gen.make.specs import name_problem, output_name, shown_path


@dataclass
class Planned:
    """What a build would do with one spec.

    Attributes:
        outcome: The spec derived and checked (``ok`` false: it would fail).
        files: The files it would write into the output folder (none if current or failing).
        current: Its outputs are up to date: the build would leave them alone.
    """

    outcome: Outcome
    files: list[str] = field(default_factory=list)
    current: bool = False


def output_files(name: str, options: BuildOptions) -> list[str]:
    """The files a build writes for the spec ``name`` with these options (its formats)."""
    from gen.make.formats import FORMATS

    files = []
    for fmt in options.formats:
        for suffix in FORMATS[fmt].suffixes:
            if not suffix.endswith(".pdf") or options.pdf:
                files.append(f"{name}{suffix}")
    return sorted(files, key=lambda f: not f.endswith(".pdf"))  # what TeX makes, first


def plan(path: Path, options: BuildOptions) -> Planned:
    """What ``gradsheet build`` would do with ``path``: it reads, derives and checks, no more.

    Nothing is written: not the output folder, not the cache, not a staging folder.
    """
    from gen.make.pipeline import check_spec

    name = output_name(path)
    why = name_problem(name)
    if why is not None:
        error = GenError(f"cannot name outputs after '{shown_path(name)}': {why}", Span(str(path)))
        return Planned(Outcome(str(path), name, False, [error]).fail())
    if not options.force:
        try:
            key = cache.input_key(
                path, path.read_bytes(), options.templates, options.formats, options.settings
            )
        except OSError:
            key = ""
        manifest = cache.current(options.out_dir, name, key, pdf=options.pdf, skip=options.out_dir)
        if key and manifest is not None:
            return Planned(Outcome(str(path), name, True), current=True)
    _, _, outcome = check_spec(path, timeout=options.timeout, defaults=options.defaults)
    if options.strict and outcome.ok and outcome.warnings:
        outcome.fail(
            GenError(
                f"{len(outcome.warnings)} warning(s), and --strict makes warnings fail",
                Span(str(path)),
            )
        )
    return Planned(outcome, output_files(name, options) if outcome.ok else [])


def describe(planned: Planned, out_dir: Path) -> str:
    """One line saying what the build would do with the spec."""
    path = shown_path(planned.outcome.path)
    if planned.current:
        return f"would leave {path} alone: its outputs are up to date"
    if not planned.outcome.ok:
        return f"would fail {path} and leave its outputs as they are"
    files = ", ".join(str(out_dir / f) for f in planned.files)
    tex = " (running TeX for the PDF)" if any(f.endswith(".pdf") for f in planned.files) else ""
    return f"would build {path}: would write {files}{tex}"
