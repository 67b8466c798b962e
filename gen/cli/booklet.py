"""``gradsheet booklet SPEC... -o FILE.pdf``: many specs typeset as one book."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gen.cli.config import find_config
from gen.cli.progress import safe
from gen.errors import GenError
from gen.make.options import BOOKLET_TIMEOUT as DEFAULT_TIMEOUT
from gen.make.specs import find_specs, shown_path

DEFAULT_TITLE = "Derivations"


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """The ``booklet`` subcommand and its options."""
    p = sub.add_parser(
        "booklet",
        help="typeset many specs into one book: title page, contents, a chapter per spec",
    )
    p.add_argument(
        "paths",
        nargs="+",
        metavar="SPEC",
        help="spec files, in the order of the chapters, or folders (their specs by name)",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE.pdf", help="the book to write")
    p.add_argument("--title", default=DEFAULT_TITLE, help=f"its title (default: {DEFAULT_TITLE})")
    p.add_argument("--templates", metavar="DIR", help="a folder of templates for every spec")
    p.add_argument("--no-pdf", action="store_true", help="write the book's .tex only; run no TeX")
    p.add_argument(
        "--dry-run",
        action="store_true",
        help="derive and check every spec; write nothing, say what would be written",
    )
    p.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="SECONDS",
        help=f"for each derivation and for TeX (default {DEFAULT_TIMEOUT:g})",
    )


def run(args: argparse.Namespace) -> int:
    """Build the booklet; 0 when written, 1 when a spec or TeX failed, 2 on misuse."""
    target = Path(args.output)
    if target.suffix != ".pdf":
        _err(f"gradsheet: the booklet is a PDF: name it FILE.pdf, not {target.name}")
        return 2
    specs, missing = find_specs(args.paths)
    for lost in missing:
        _err(f"gradsheet: {lost.message}")
    if missing or not specs:
        if not specs and not missing:
            _err("gradsheet: no spec files (*.yaml) found in " + ", ".join(args.paths))
        return 2
    templates = Path(args.templates) if args.templates else None
    if templates is not None and not templates.is_dir():
        _err(f"gradsheet: no such template folder: {templates}")
        return 2
    try:
        config = find_config()
    except GenError as bad:
        _err(str(bad) if bad.span is not None and bad.span.file else f"gradsheet: {bad}")
        return 2
    from gen.make.booklet import make_booklet  # the derivation and TeX: only when used

    done = make_booklet(
        specs,
        target,
        args.title,
        templates=templates,
        timeout=args.timeout,
        pdf=not (args.no_pdf or args.dry_run),
        write=not args.dry_run,
        defaults=config.defaults,
    )
    for error in done.errors:
        _err(str(error))
    if not done.ok:
        _err(f"failed {shown_path(target)}: nothing written")
        return 1
    for warning in done.warnings:
        _err(f"{shown_path(target)}: warning: {warning}")
    for path in done.written:
        _err(f"{'would write' if args.dry_run else 'wrote'} {shown_path(path)}")
    _err(f"gradsheet: booklet of {done.chapters} specs: {shown_path(target)}")
    return 0


def _err(text: str) -> None:
    print(safe(text), file=sys.stderr)
