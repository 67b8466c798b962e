"""The command line: build, check, watch, clean, booklet, new, schema, docs; prints."""

from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from gen import __version__
from gen.cli import booklet
from gen.cli.config import HEADINGS
from gen.cli.progress import Reporter, safe
from gen.errors import GenError, Span
from gen.make.cache import CACHE_DIR
from gen.make.formats import ALL, DEFAULT_FORMATS, FORMATS, parse_formats
from gen.make.options import DEFAULT_TIMEOUT, BuildOptions, Outcome, Status
from gen.make.specs import find_specs, path_problem, shown_path

if TYPE_CHECKING:
    from collections.abc import Callable


EXIT_OK = 0  # every spec good (built, up to date or checked)
EXIT_FAILED = 1  # some spec failed; the others were built
EXIT_USAGE = 2  # the command was misused: bad option, no such path, no spec found
EXIT_NO_TEX = 3  # no spec failed, but TeX is missing: .tex and .json written, no PDF
EXIT_INTERNAL = 4  # a bug in gradsheet (the message says where; -v shows the traceback)
EXIT_SIGNAL = 128  # + the signal: 130 after Ctrl-C (SIGINT), 143 after SIGTERM


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _positive(kind: type[int] | type[float]) -> Callable[[str], int | float]:
    def parse(text: str) -> int | float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, not {text}")
        return value

    return parse


def _formats(text: str) -> tuple[str, ...]:
    """``--to``: the formats asked for (argparse turns the error into a usage error)."""
    try:
        return parse_formats(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradsheet",
        description="Matrix-calculus derivation sheets from YAML specs, every step checked.",
        epilog="Exit status: 0 all good, 1 a spec failed, 2 usage error, 3 TeX missing "
        "(.tex and .json written), 4 internal error, 130/143 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"gradsheet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "paths",
            nargs="*",
            metavar="PATH",
            help="spec files or folders of them (default: specs)",
        )
        p.add_argument("--strict", action="store_true", help="warnings fail the spec")
        p.add_argument(
            "--timeout",
            type=_positive(float),
            default=DEFAULT_TIMEOUT,
            metavar="S",
            help=f"seconds allowed to each derivation and TeX run (default: {DEFAULT_TIMEOUT:g})",
        )
        loud = p.add_mutually_exclusive_group()
        loud.add_argument(
            "-q", "--quiet", action="store_true", help="print errors and warnings only"
        )
        loud.add_argument(
            "-v",
            "--verbose",
            action="store_true",
            help="print every spec, timings and tracebacks of internal errors",
        )

    def output(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "-o",
            "--output",
            default=None,  # gradsheet.toml's 'output', else "output" (see Config.fill)
            metavar="DIR",
            help="the output folder (default: 'output' of gradsheet.toml, else output)",
        )

    def building(p: argparse.ArgumentParser, *, dry: bool) -> None:
        common(p)
        output(p)
        p.add_argument(
            "--templates",
            metavar="DIR",
            help="a folder of templates for every spec (wins over 'template:')",
        )
        p.add_argument(
            "--no-pdf",
            dest="no_pdf",
            action="store_true",
            help="derive, verify and write .tex and .json; run no TeX",
        )
        if dry:
            p.add_argument(
                "--dry-run",
                dest="dry_run",
                action="store_true",
                help="derive and verify, then say what a build would write; write nothing",
            )
        p.add_argument(
            "--force",
            action="store_true",
            help="rebuild every spec, even those whose inputs did not change",
        )
        p.add_argument(
            "--to",
            type=_formats,
            default=DEFAULT_FORMATS,
            metavar="FORMAT[,FORMAT...]",
            help=f"what to write for each spec: {', '.join(FORMATS)}, or {ALL} "
            f"(default: {','.join(DEFAULT_FORMATS)})",
        )
        p.add_argument(
            "--heading",
            choices=HEADINGS,
            default=None,  # gradsheet.toml's 'heading', else subsection
            help="the sectioning command of NAME.body.tex's headings "
            "(default: 'heading' of gradsheet.toml, else subsection)",
        )
        p.add_argument(
            "-j",
            "--jobs",
            type=_positive(int),
            default=None,  # gradsheet.toml's 'jobs', else the number of cores
            metavar="N",
            help=f"TeX runs at once (default: 'jobs' of gradsheet.toml, else the number "
            f"of cores, {_cores()})",
        )

    building(
        sub.add_parser("build", help="build specs into PDF, .tex, .body.tex and .json"), dry=True
    )
    check = sub.add_parser("check", help="derive and verify specs; write nothing")
    common(check)
    check.add_argument(
        "--json", action="store_true", help="print the results of every spec on standard output"
    )
    check.add_argument(
        "--exact",
        action="store_true",
        help="also check each result exactly with SymPy, on explicit matrices "
        "of small sizes (verified.exact in the JSON)",
    )
    watch = sub.add_parser("watch", help="build, then rebuild what changes on save")
    building(watch, dry=False)
    clean = sub.add_parser(
        "clean", help="remove what gradsheet wrote into the output folder, nothing else"
    )
    output(clean)
    clean.add_argument(
        "--dry-run", action="store_true", help="say what would be removed; remove nothing"
    )
    clean.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    new = sub.add_parser("new", help="write a starter spec (specs/NAME.yaml)")
    new.add_argument("name", metavar="NAME", help="a name (specs/NAME.yaml) or a path")
    new.add_argument("--force", action="store_true", help="overwrite an existing spec")
    sub.add_parser("schema", help="print the JSON Schema of the spec format")
    booklet.add_parser(sub)
    docs = sub.add_parser("docs", help="print where the documentation shipped with gradsheet is")
    docs.add_argument(
        "topic", nargs="?", metavar="TOPIC", help="a page: spec, cli, api, templates, ..."
    )
    return parser


def _err(text: str) -> None:
    print(safe(text), file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run a command; return its exit status (see the EXIT_ constants and docs/cli.md)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help and --version exit 0, misuse 2
        return int(exc.code or 0)
    given = sys.argv[1:] if argv is None else argv
    args.to_given = any(a == "--to" or a.startswith("--to=") for a in given)
    if args.command is None:
        parser.print_usage(sys.stderr)
        return EXIT_USAGE
    verbose = getattr(args, "verbose", False)
    try:
        return _run(args)
    except KeyboardInterrupt:
        _err("gradsheet: interrupted")
        return EXIT_SIGNAL + signal.SIGINT
    except Exception as exc:  # noqa: BLE001 - the last guard: never a bare traceback
        _err(
            f"gradsheet: internal error: {type(exc).__name__}: {exc} (a bug in gradsheet; "
            "please report it" + ("" if verbose else "; -v shows the traceback") + ")"
        )
        if verbose:
            import traceback

            _err("".join(traceback.format_exception(exc)).rstrip())
        return EXIT_INTERNAL


def _run(args: argparse.Namespace) -> int:
    if args.command == "booklet":
        return booklet.run(args)
    if args.command in ("schema", "docs", "new"):
        return _no_specs(args)
    if args.command in ("build", "watch", "clean", "check"):
        from gen.cli.config import find_config

        try:
            config = find_config()
        except GenError as bad:
            _err(str(bad) if bad.span is not None and bad.span.file else f"gradsheet: {bad}")
            return EXIT_USAGE
        config.fill(args, _cores())
    if args.command == "clean":
        return _clean(Path(args.output), dry_run=args.dry_run, quiet=args.quiet)
    return _on_specs(args)


def _no_specs(args: argparse.Namespace) -> int:
    """The commands that read no spec: schema, docs, new."""
    if args.command == "schema":
        from gen.cli.schema import schema_text

        sys.stdout.write(schema_text())
        return EXIT_OK
    if args.command == "docs":
        from gen.cli.docs import doc_path

        try:
            print(doc_path(args.topic))
        except GenError as missing:
            _err(f"gradsheet: {missing.message}")
            return EXIT_USAGE
        return EXIT_OK
    if args.command == "new":
        from gen.cli.newspec import write_new

        try:
            written = write_new(args.name, force=args.force)
        except GenError as refused:
            _err(f"gradsheet: {refused.message}")
            return EXIT_USAGE
        for path in written:
            _err(f"wrote {path}")
    return EXIT_OK


def _on_specs(args: argparse.Namespace) -> int:
    """The commands that read specs: build, check, watch."""
    specs, missing = find_specs(args.paths or ["specs"])
    for lost in missing:
        _err(f"gradsheet: {lost.message}")
    if missing:
        return EXIT_USAGE
    if not specs:
        _err("gradsheet: no spec files (*.yaml) found in " + ", ".join(args.paths or ["specs"]))
        return EXIT_USAGE
    verbosity = 0 if args.quiet else 2 if args.verbose else 1
    if args.command == "check":
        return _check(specs, args, verbosity)
    options, problem = _options(args)
    if options is None:
        _err(f"gradsheet: {problem}")
        return EXIT_USAGE
    reporter = Reporter(
        sys.stderr,
        verbosity=verbosity,
        bar=_is_terminal(),
        out_dir=options.out_dir,
        pdf=options.typesets,
        formats=options.formats,
    )
    if args.command == "watch":
        return _watch(args.paths or ["specs"], options, reporter)
    if args.dry_run:
        return _dry_run(specs, options, reporter)
    return _build(specs, options, reporter)


def _is_terminal() -> bool:
    return sys.stderr.isatty() and os.environ.get("TERM", "") != "dumb"


def _options(args: argparse.Namespace) -> tuple[BuildOptions | None, str]:
    """The build options, or None and why they are unusable."""
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        return None, f"the output folder {out} exists and is not a folder"
    state = out / CACHE_DIR
    if state.is_symlink() or (state.exists() and not state.is_dir()):
        return None, f"{state} is not a plain folder (a link, or a file); remove it"
    templates = Path(args.templates) if args.templates else None
    if templates is not None and not templates.is_dir():
        return None, f"no such template folder: {templates}"
    options = BuildOptions(
        out,
        pdf=not args.no_pdf,
        templates=templates,
        force=args.force,
        strict=args.strict,
        jobs=args.jobs,
        timeout=args.timeout,
        formats=args.to,
        defaults=args.defaults,
        heading=args.heading,
    )
    return _config_formats(options, args), ""


def _config_formats(options: BuildOptions, args: argparse.Namespace) -> BuildOptions:
    """The configuration's ``formats``, unless ``--to`` chose (a list of strings, SPEC 9)."""
    formats = getattr(args, "config_formats", None)
    if not formats or args.to_given:
        return options
    return dataclasses.replace(options, formats=parse_formats(",".join(formats)))


def _clean(out: Path, *, dry_run: bool, quiet: bool) -> int:
    """``gradsheet clean``: remove (or, with ``--dry-run``, list) what gradsheet wrote."""
    from gen.cli.clean import clean, plan_clean

    plan = plan_clean(out)
    for path, why in plan.kept:
        _err(f"gradsheet: leaving {shown_path(path)}: {why}")
    doomed = [*plan.files, *([plan.folder] if plan.folder is not None else [])]
    verb = "would remove" if dry_run else "removed"
    if not doomed:
        if not quiet:
            _err(f"gradsheet: nothing to remove in {shown_path(out)}")
        return EXIT_OK
    failed = [] if dry_run else clean(plan)
    lost = {path for path, _ in failed}
    for path in doomed:
        if path not in lost and not quiet:
            _err(f"{verb} {shown_path(path)}{'/' if path == plan.folder else ''}")
    for path, why in failed:
        _err(f"gradsheet: cannot remove {shown_path(path)}: {why}")
    return EXIT_FAILED if failed else EXIT_OK


def _dry_run(specs: list[Path], options: BuildOptions, reporter: Reporter) -> int:
    """``build --dry-run``: derive and check each spec, say what a build would write."""
    from gen.cli.dryrun import describe, plan

    say = reporter.line if reporter.verbosity > 0 else (lambda text: None)
    if not options.out_dir.exists():
        say(f"would create the output folder {shown_path(options.out_dir)}")
    outcomes = []
    for path in specs:
        planned = plan(path, options)
        outcome = planned.outcome
        if not outcome.ok:
            reporter.done(outcome)  # its errors, located
        say(describe(planned, options.out_dir))
        outcomes.append(outcome)
    say("gradsheet: dry run; nothing was written")
    return _status(outcomes)


def _status(outcomes: list[Outcome]) -> int:
    if any(o.internal for o in outcomes):
        return EXIT_INTERNAL
    if any(o.status is Status.FAILED or not o.ok for o in outcomes):
        return EXIT_FAILED
    if any(o.status is Status.NO_TEX for o in outcomes):
        return EXIT_NO_TEX
    return EXIT_OK


def _tex_missing_note(outcomes: list[Outcome], reporter: Reporter) -> None:
    if any(o.status is Status.NO_TEX for o in outcomes):
        from gen.make.latexmk import TEX_MISSING

        reporter.line(f"gradsheet: {TEX_MISSING}; the .tex and .json files were written, no PDF")


def _build(specs: list[Path], options: BuildOptions, reporter: Reporter) -> int:
    from gen.make.runner import Interrupted, build_all

    try:
        outcomes = build_all(specs, options, reporter)
    except Interrupted as stop:
        reporter.end([])
        _err(
            "gradsheet: interrupted; TeX stopped, unfinished outputs discarded, finished ones kept"
        )
        return EXIT_SIGNAL + stop.signum
    reporter.end(outcomes)
    _tex_missing_note(outcomes, reporter)
    return _status(outcomes)


def _check(specs: list[Path], args: argparse.Namespace, verbosity: int) -> int:
    from gen.make.pipeline import check_spec
    from gen.make.runner import Interrupted, stop_on_signals

    reporter = Reporter(sys.stderr, verbosity=verbosity)
    reporter.begin(len(specs))
    outcomes = []
    try:
        with stop_on_signals():
            for path in specs:
                reporter.working(path.name, "checking")
                unshowable = path_problem(path)
                if unshowable is not None:
                    refused = GenError(
                        f"cannot check this spec: {unshowable}; rename it", Span(shown_path(path))
                    )
                    outcome = Outcome(str(path), path.stem, False, [refused]).fail()
                else:
                    _, _, outcome = check_spec(
                        path, timeout=args.timeout, exact=args.exact, defaults=args.defaults
                    )
                if args.strict and outcome.warnings and outcome.ok:
                    outcome.fail(
                        GenError(
                            f"{len(outcome.warnings)} warning(s), and --strict makes warnings fail",
                            Span(str(path)),
                        )
                    )
                outcomes.append(outcome)
                reporter.done(outcome)
    except Interrupted as stop:
        _err("gradsheet: interrupted")
        return EXIT_SIGNAL + stop.signum
    reporter.end(outcomes)
    if args.json:
        import json

        objs = [o.results for o in outcomes]
        print(json.dumps(objs if len(objs) != 1 else objs[0], indent=2, ensure_ascii=False))
    return _status(outcomes)


def _watch(paths: list[str], options: BuildOptions, reporter: Reporter) -> int:
    from gen.cli.watch import watch
    from gen.make.runner import Interrupted, build_all, stop_on_signals

    stop = threading.Event()

    def build(specs: list[Path]) -> list[Outcome]:
        outcomes = build_all(specs, options, reporter) if specs else []
        reporter.end(outcomes)
        _tex_missing_note(outcomes, reporter)
        return outcomes

    def waiting(count: int) -> None:
        if reporter.verbosity > 0:
            reporter.line(f"gradsheet: watching {count} spec(s) and their templates; Ctrl-C stops")

    try:
        with stop_on_signals():
            watch(paths, options, build, stop=stop, on_wait=waiting)
    except Interrupted as stopped:
        reporter.end([])
        _err("gradsheet: stopped watching")
        return EXIT_OK if stopped.signum == signal.SIGINT else EXIT_SIGNAL + stopped.signum
    return EXIT_OK


def main_entry() -> None:
    """The console script."""
    sys.exit(main(sys.argv[1:]))
