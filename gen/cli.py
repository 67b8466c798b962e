"""The command line: gradsheet build | check; the only module that prints."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gen import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gradsheet",
        description="Matrix-calculus derivation sheets from YAML specs, every step checked.")
    parser.add_argument("--version", action="version", version=f"gradsheet {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    build = sub.add_parser("build", help="build specs into PDF, .tex, .body.tex and .json")
    build.add_argument("paths", nargs="*", metavar="PATH", help="spec files or folders "
                       "(default: specs)")
    build.add_argument("-o", "--output", default="output", metavar="DIR",
                       help="the output folder (default: output)")
    build.add_argument("--templates", metavar="DIR", help="a folder of templates to use instead "
                       "of the default ones")
    build.add_argument("--no-pdf", action="store_true", help="write .tex and .json, run no TeX")
    check = sub.add_parser("check", help="derive and verify specs; write nothing")
    check.add_argument("paths", nargs="*", metavar="PATH")
    check.add_argument("--json", action="store_true", help="print the results contract of "
                       "every spec on standard output")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; return 0 when all is well, 1 when a spec failed, 2 on misuse."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help and --version exit 0, misuse 2
        return int(exc.code or 0)
    if args.command is None:
        parser.print_usage(sys.stderr)
        return EXIT_USAGE
    from gen.build.pipeline import build_spec, check_spec, find_specs

    specs, missing = find_specs(args.paths or ["specs"])
    for err in missing:
        print(err, file=sys.stderr)
    if missing:
        return EXIT_USAGE
    if not specs:
        print("gradsheet: no spec files (*.yaml) found", file=sys.stderr)
        return EXIT_USAGE
    failed = False
    if args.command == "check":
        objs = []
        for path in specs:
            _, _, outcome = check_spec(path)
            failed |= not outcome.ok
            _report(outcome, verb="checked")
            objs.append(outcome.results)
        if args.json:
            print(json.dumps(objs if len(objs) != 1 else objs[0], indent=2, ensure_ascii=False))
        return EXIT_FAILED if failed else EXIT_OK
    out_dir = Path(args.output)
    templates = Path(args.templates) if args.templates else None
    for path in specs:
        outcome = build_spec(path, out_dir, pdf=not args.no_pdf, templates=templates)
        failed |= not outcome.ok
        _report(outcome, verb="built", out_dir=out_dir)
    return EXIT_FAILED if failed else EXIT_OK


def _report(outcome: object, *, verb: str, out_dir: Path | None = None) -> None:
    from gen.build.pipeline import Outcome

    assert isinstance(outcome, Outcome)
    if outcome.ok:
        where = f" -> {out_dir / (outcome.name + '.pdf')}" if out_dir is not None else ""
        print(f"{verb} {outcome.path}{where}", file=sys.stderr)
        return
    for err in outcome.errors:
        print(err, file=sys.stderr)
    print(f"failed {outcome.path} ({len(outcome.errors)} error(s))", file=sys.stderr)


def main_entry() -> None:
    """The console script."""
    sys.exit(main(sys.argv[1:]))
