"""Which spec files a command means, and the output name of each (light: no heavy imports)."""

from __future__ import annotations

import re
from pathlib import Path

from gen.errors import GenError, Span

SPEC_SUFFIXES = (".yaml", ".yml")
# Characters an output name may not hold: separators, controls, bidirectional controls.
_BAD_NAME = re.compile(
    "[/\\\\\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069]"
)


def find_specs(paths: list[str]) -> tuple[list[Path], list[GenError]]:
    """The spec files named, or found (sorted, not recursively) in the folders named.

    Args:
        paths: Spec files and folders, as the user gave them.

    Returns:
        The spec files, each once, in the order given; and an error for each
        path that does not exist.
    """
    found: list[Path] = []
    errors: list[GenError] = []
    seen: set[Path] = set()
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            try:
                entries = sorted(
                    q
                    for q in p.iterdir()
                    if q.suffix in SPEC_SUFFIXES and q.is_file() and not q.name.startswith(".")
                )
            except OSError as exc:
                errors.append(GenError(f"cannot list {raw}: {exc.strerror or exc}", Span(raw)))
                continue
        elif p.is_file():
            entries = [p]
        else:
            errors.append(GenError(f"no such spec file or folder: {raw}", Span(raw)))
            continue
        for entry in entries:
            key = entry.resolve()
            if key not in seen:
                seen.add(key)
                found.append(entry)
    return found, errors


def output_name(path: Path) -> str:
    """The name of a spec's outputs: its file name without the ``.yaml`` suffix."""
    name = path.name
    for suffix in SPEC_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return path.stem


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot name output files (None when it can)."""
    if not name or name.startswith("."):
        return "it is empty or starts with '.'"
    bad = _BAD_NAME.search(name)
    if bad is not None:
        return f"it holds the character U+{ord(bad.group()):04X}"
    if len(name.encode("utf-8")) > 200:
        return "it is longer than 200 bytes"
    return None


def path_problem(path: Path | str) -> str | None:
    """Why a spec's path cannot be shown in messages as it is (None when it can)."""
    bad = _BAD_NAME.search(str(path).replace("/", "").replace("\\", ""))
    return None if bad is None else f"its path holds the character U+{ord(bad.group()):04X}"


def shown_path(path: Path | str) -> str:
    """A path as a message may show it: control characters become U+FFFD."""
    return _BAD_NAME.sub(lambda m: m.group() if m.group() in "/\\" else "\ufffd", str(path))
