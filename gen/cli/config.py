"""The project configuration: ``gradsheet.toml``, or ``[tool.gradsheet]`` in ``pyproject.toml``.

Read from the current folder; ``gradsheet.toml`` wins when both exist. The
keys (docs/cli.md): ``output`` (the output folder), ``formats`` (what a build
writes, SPEC section 9), ``jobs`` (TeX runs at once), ``layout`` and ``lang``
(those of a spec that does not set its own), ``heading`` (the sectioning
command of NAME.body.tex's headings). Command-line options override the file;
a spec's own ``layout:`` and ``lang:`` override it.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gen.errors import GenError, Span
from gen.spec.model import Defaults, Layout

CONFIG_FILE = "gradsheet.toml"
PYPROJECT = "pyproject.toml"
FORMATS = frozenset({"pdf", "body", "json", "slides", "html", "md", "exercise", "all"})
LAYOUTS = ("numerator", "denominator", "mixed")
LANGS = ("en", "zh")
HEADINGS = ("part", "chapter", "section", "subsection", "subsubsection", "paragraph")
_AT = re.compile(r"\(at line (\d+), column (\d+)\)")


@dataclass(frozen=True)
class Config:
    """The project's settings; None where the file does not set one.

    Attributes:
        path: The file read (None when there is none).
        output: The output folder.
        formats: The formats a build writes (``build --to``).
        jobs: How many TeX runs at once.
        layout: The layout of a spec without ``layout:``.
        lang: The language of a spec without ``lang:``.
        heading: The sectioning command of NAME.body.tex's headings.
    """

    path: Path | None = None
    output: str | None = None
    formats: tuple[str, ...] | None = None
    jobs: int | None = None
    layout: str | None = None
    lang: str | None = None
    heading: str | None = None

    def fill(self, args: Any, cores: int) -> None:
        """Fill the options the command line left unset (an argparse namespace) from here."""
        if getattr(args, "output", "") is None:
            args.output = self.output or "output"
        if getattr(args, "jobs", 0) is None:
            args.jobs = self.jobs or cores
        if getattr(args, "heading", "") is None:
            args.heading = self.heading or "subsection"
        args.defaults = self.defaults
        args.config_formats = list(self.formats) if self.formats else None

    @property
    def defaults(self) -> Defaults:
        """What a spec without ``layout:`` or ``lang:`` gets."""
        return Defaults(Layout(self.layout) if self.layout else Layout.MIXED, self.lang or "en")


def find_config(folder: Path | None = None) -> Config:
    """The configuration of the project in ``folder`` (default: the current folder).

    Raises:
        GenError: The file cannot be read or parsed, or a setting is wrong
            (located at its file, line and column where known).
    """
    here = Path.cwd() if folder is None else Path(folder)
    own = here / CONFIG_FILE
    if own.is_file():
        text = _read(own)
        return _settings(own, text, _parse(own, text), None)
    pyproject = here / PYPROJECT
    if pyproject.is_file():
        text = _read(pyproject)
        if "gradsheet" not in text:
            return Config()  # another project's file: not ours to judge
        table = _parse(pyproject, text).get("tool", {})
        table = table.get("gradsheet") if isinstance(table, dict) else None
        if table is None:
            return Config()
        if not isinstance(table, dict):
            raise GenError(
                "[tool.gradsheet] must be a table", _locate(pyproject, text, "gradsheet")
            )
        return _settings(pyproject, text, table, "tool.gradsheet")
    return Config()


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GenError(f"cannot read the configuration: {exc}", Span(str(path))) from None


def _parse(path: Path, text: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):  # imported here: most builds read no configuration
        import tomllib
    else:  # pragma: no cover - Python 3.10 reads TOML with tomli (a dependency there)
        import tomli as tomllib  # type: ignore[import-not-found, no-redef, unused-ignore]
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = _AT.search(message)
        line, column = (int(at.group(1)), int(at.group(2))) if at else (None, None)
        bare = _AT.sub("", message).strip()
        raise GenError(f"not valid TOML: {bare}", _span(path, text, line, column)) from None


def _span(path: Path, text: str, line: int | None, column: int | None) -> Span:
    lines = text.splitlines()
    source = lines[line - 1] if line is not None and 0 < line <= len(lines) else None
    return Span(str(path), line, column, 1, source)


def _locate(path: Path, text: str, key: str, table: str | None = None) -> Span:
    """Where ``key = ...`` stands in the file (in ``[table]`` when given); the file if unknown."""
    inside = table is None
    pattern = re.compile(rf"""^\s*(["']?){re.escape(key)}\1\s*=""")
    for number, line in enumerate(text.splitlines(), start=1):
        head = line.strip()
        if head.startswith("[") and table is not None:
            inside = head.strip("[] ") == table
            if head.strip("[] ") == table and key == "gradsheet":
                return Span(str(path), number, 1, len(line), line)
            continue
        match = pattern.match(line) if inside else None
        if match is not None:
            column = len(line) - len(line.lstrip()) + 1
            return Span(str(path), number, column, len(key), line)
    return Span(str(path))


def _settings(path: Path, text: str, table: dict[str, Any], name: str | None) -> Config:
    """Check each setting of ``table`` (the file's, or its ``[tool.gradsheet]``)."""

    def bad(key: str, message: str) -> GenError:
        return GenError(message, _locate(path, text, key, name))

    known = {"output", "formats", "jobs", "layout", "lang", "heading"}
    for key in table:
        if key not in known:
            raise bad(key, f"unknown setting '{key}' (known: {', '.join(sorted(known))})")
    output = table.get("output")
    if output is not None and (not isinstance(output, str) or not output):
        raise bad("output", "'output' must be a folder name (a non-empty string)")
    formats = table.get("formats")
    if formats is not None:
        if isinstance(formats, str):
            formats = [f.strip() for f in formats.split(",")]
        if not isinstance(formats, list) or not formats:
            raise bad("formats", '\'formats\' must be a list of format names, e.g. ["pdf", "html"]')
        for entry in formats:
            if entry not in FORMATS:
                raise bad(
                    "formats",
                    f"unknown format {entry!r} in 'formats' (known: {', '.join(sorted(FORMATS))})",
                )
    jobs = table.get("jobs")
    if jobs is not None and (isinstance(jobs, bool) or not isinstance(jobs, int) or jobs <= 0):
        raise bad("jobs", "'jobs' must be a positive whole number")
    chosen = {}
    for key, allowed in (("layout", LAYOUTS), ("lang", LANGS), ("heading", HEADINGS)):
        value = table.get(key)
        if value is not None and value not in allowed:
            raise bad(key, f"'{key}' must be one of {', '.join(allowed)} (not {value!r})")
        chosen[key] = value
    return Config(path, output, tuple(formats) if formats is not None else None, jobs, **chosen)
