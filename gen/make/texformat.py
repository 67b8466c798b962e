"""A dumped preamble format for pdfLaTeX sheets: made once per preamble, checked before use.

Most of a pdfLaTeX run of a one-page sheet is its preamble. ``ready_format``
dumps the preamble of a sheet (``mylatexformat.ltx``), on its second run, into
``OUT/.gradsheet/formats/KEY.fmt`` beside a record ``KEY.json``; later runs
load that format and skip the preamble. The key is a hash of the preamble
text (the templates reach TeX only through it) and of the pdfTeX binary; the
record lists every file TeX read while dumping (``pdflatex.fmt``, each
package) with its size and time, so a TeX Live update makes a new format.

The folder is treated as untrusted: a record or format that is not a plain
file of this user, of sane size, naming another key, or whose bytes do not
hash to what the record says, is not used (the preamble is dumped again). The
checked bytes themselves are copied into the run's private folder, so that
what TeX loads is what was checked.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from gen.errors import CacheError
from gen.make import cache

VERSION = "gradsheet-format-2"  # bump when the way formats are made changes
FORMAT_NAME = "gsfmt"  # the verified copy in the run's folder: gsfmt.fmt
FORMATS_DIR = "formats"
MAX_FORMAT_BYTES = 256 * 1024 * 1024
MAX_RECORD_BYTES = 1024 * 1024
KEEP_FORMATS = 8  # the formats kept (the most recently made); older ones are removed
_DUMP_INPUT = "gspreamble.tex"
# Read before the preamble when dumping, so that a run from the format makes the very PDF a
# plain run makes: no fonts preloaded (mylatexformat would load them in another order), and
# the colour stack, which pdfTeX does not dump, rebuilt at the start of each run by replaying
# what the preamble did to it (xcolor pushes the text colour; a preamble \color{...} too).
_DUMP_PREFIX = r"""\makeatletter
\let\MYLATEX@fontpreloading\relax
\let\gs@pdfcolorstack\pdfcolorstack
\gdef\gs@replay{}
\protected\def\pdfcolorstack{\afterassignment\gs@cs@op\global\chardef\gs@csn=}
\def\gs@cs@op#1#2{\csname gs@cs@#1#2\endcsname}
\def\gs@cs@record#1{\xdef\gs@replay{\gs@replay\gs@pdfcolorstack\number\gs@csn\space#1}}
\long\def\gs@cs@pu sh#1{\gs@cs@record{push{#1}}\gs@pdfcolorstack\gs@csn push{#1}}
\def\gs@cs@po p{\gs@cs@record{pop}\gs@pdfcolorstack\gs@csn pop}
\long\def\gs@cs@se t#1{\gs@cs@record{set{#1}}\gs@pdfcolorstack\gs@csn set{#1}}
\def\gs@cs@cu rrent{\gs@pdfcolorstack\gs@csn current}
\let\gs@dump\dump
\def\dump{\let\pdfcolorstack\gs@pdfcolorstack
  \everyjob\expandafter{\expandafter\gs@replay\the\everyjob}\gs@dump}
\makeatother
"""

# runs a TeX command in a folder with the caller's sandbox; True when it exited 0
Runner = Callable[[list[str], Path], bool]


@dataclass(frozen=True)
class Made:
    """A format ready in a run's folder: pass ``-fmt=name``; ``dumped`` when it was made now."""

    name: str
    dumped: bool


def formats_dir(out_dir: Path) -> Path | None:
    """``OUT/.gradsheet/formats``, a plain folder of this user; None when it cannot be one.

    A symbolic link in its place is removed (never followed); anything else in
    the way means no format cache for this build (TeX then runs without one).
    """
    try:
        root = cache.cache_dir(Path(out_dir))
        folder = root / FORMATS_DIR
        if folder.is_symlink():
            folder.unlink()
        folder.mkdir(mode=0o700, exist_ok=True)
        info = folder.lstat()
    except (OSError, CacheError):
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        return None
    return folder


def preamble(tex: str) -> str | None:
    r"""The sheet's preamble: its lines before the ``\begin{document}`` line.

    Returns None unless that line is the first one a dumped format would stop
    at (``mylatexformat`` stops at the first line holding ``\begin`` ...
    ``document`` or ``\endofdump``) and holds ``\begin{document}`` alone.
    """
    lines = tex.splitlines(keepends=True)
    for i, line in enumerate(lines):
        after = line.split("\\begin", 1)
        if "\\endofdump" in line or (len(after) == 2 and "document" in after[1]):
            return "".join(lines[:i]) if line.strip() == "\\begin{document}" else None
    return None


def format_key(text: str, engine: str) -> str:
    """The key of a format: this code's version, the engine binary, the preamble text."""
    digest = hashlib.sha256()
    for part in (VERSION, engine, _stamp(engine), text):
        digest.update(part.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def _stamp(path: str) -> str:
    """``size:mtime_ns`` of a file, or ``-`` when it cannot be read."""
    try:
        info = os.stat(path)
    except OSError:
        return "-"
    return f"{info.st_size}:{info.st_mtime_ns}"


def ready_format(
    tex_path: Path, folder: Path, engine: str, run: Runner, deadline: float
) -> Made | None:
    """A checked format for the sheet's preamble, copied into the sheet's folder.

    Args:
        tex_path: The sheet (in the run's private folder).
        folder: The format cache (see ``formats_dir``).
        engine: The pdfLaTeX binary.
        run: Runs a TeX command (``-ini`` for the dump) under the caller's sandbox.
        deadline: ``time.monotonic()`` after which no dump is waited for.

    Returns:
        The format to pass to ``-fmt``, or None (no preamble, the first run of
        this preamble, the dump failed, or the cache is unusable): then TeX
        runs without a format. A dump (about two runs' worth) pays off from a
        few runs on, so the first run of a preamble only marks it
        (``KEY.seen``) and the second one dumps it.
    """
    text = preamble(tex_path.read_text("utf-8", errors="surrogateescape"))
    if text is None:
        return None
    key = format_key(text, engine)
    workdir = tex_path.parent
    data = _checked(folder, key)
    if data is not None:
        return _install(workdir, data, dumped=False)
    if not _seen_before(folder / f"{key}.seen"):
        return None  # a dump costs more than it saves on one run: the second run makes it
    with _locked(folder / f"{key}.lock", deadline) as locked:
        if not locked:
            return None
        data = _checked(folder, key)  # another run may have made it meanwhile
        if data is not None:
            return _install(workdir, data, dumped=False)
        dumped = _dump(workdir, text, engine, run)
        if dumped is None:
            return None
        fmt, inputs = dumped
        _store(folder, key, fmt, inputs)
        return _install(workdir, fmt, dumped=True)


def _seen_before(marker: Path) -> bool:
    """Whether a run of this preamble came before (``marker`` exists); marks it if not."""
    if os.path.lexists(marker):
        return True
    with contextlib.suppress(OSError):
        os.close(os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600))
    return False


def _install(workdir: Path, data: bytes, *, dumped: bool) -> Made:
    return Made(install(workdir, data), dumped)


def install(workdir: Path, data: bytes) -> str:
    """Write checked format bytes into a run's folder; the name to pass to ``-fmt``."""
    (workdir / f"{FORMAT_NAME}.fmt").write_bytes(data)
    return FORMAT_NAME


def newest_format(folder: Path) -> tuple[str, bytes] | None:
    """The key and the checked bytes of the format made last in ``folder``; None if none is.

    Only the newest record is tried: an early run (``gen.make.texearly``) bets
    on the preamble built last, and a bet lost costs one killed run.
    """
    try:
        records = [
            (entry.stat(follow_symlinks=False).st_mtime_ns, entry.name[: -len(".json")])
            for entry in os.scandir(folder)
            if entry.name.endswith(".json") and not entry.name.startswith(".")
        ]
    except OSError:
        return None
    if not records:
        return None
    key = max(records)[1]
    if not re.fullmatch("[0-9a-f]{64}", key):
        return None
    data = _checked(folder, key)
    return None if data is None else (key, data)


def _dump(
    workdir: Path, text: str, engine: str, run: Runner
) -> tuple[bytes, list[list[object]]] | None:
    """Dump ``text`` to a format in ``workdir/dump``; its bytes and the files TeX read."""
    dump = workdir / "dump"
    shutil.rmtree(dump, ignore_errors=True)
    dump.mkdir()
    (dump / _DUMP_INPUT).write_text(
        _DUMP_PREFIX + text + "\\begin{document}\n\\end{document}\n",
        "utf-8",
        errors="surrogateescape",
    )
    command = [
        engine,
        "-ini",
        "-recorder",
        f"-jobname={FORMAT_NAME}",
        "&pdflatex",
        "mylatexformat.ltx",
        _DUMP_INPUT,
    ]
    made = dump / f"{FORMAT_NAME}.fmt"
    try:
        if not run(command, dump) or not made.is_file():
            return None
        data = made.read_bytes()
        inputs = _inputs(dump / f"{FORMAT_NAME}.fls", engine)
    except OSError:
        return None
    finally:
        shutil.rmtree(dump, ignore_errors=True)
    return data, inputs


def _inputs(fls: Path, engine: str) -> list[list[object]]:
    """Every absolute file of a ``-recorder`` list (and the engine), with its stamp."""
    paths = {os.path.realpath(engine)}
    for row in fls.read_text("utf-8", errors="replace").splitlines():
        if row.startswith("INPUT /"):
            paths.add(row[len("INPUT ") :])
    return [[path, _stamp(path)] for path in sorted(paths)]


def _store(folder: Path, key: str, fmt: bytes, inputs: list[list[object]]) -> None:
    """Write ``KEY.fmt`` and then its record ``KEY.json``, each by an atomic rename."""
    record = {
        "version": VERSION,
        "key": key,
        "sha256": hashlib.sha256(fmt).hexdigest(),
        "size": len(fmt),
        "inputs": inputs,
    }
    try:
        _write_atomically(folder / f"{key}.fmt", fmt)
        _write_atomically(folder / f"{key}.json", json.dumps(record).encode())
        _prune(folder)
    except OSError:
        pass  # no cache this time; the run goes on with the format in its own folder


def _prune(folder: Path) -> None:
    """Remove all but the ``KEEP_FORMATS`` newest formats, with their records and marks."""
    made = sorted(
        (
            (entry.stat(follow_symlinks=False).st_mtime_ns, entry.name[: -len(".fmt")])
            for entry in os.scandir(folder)
            if entry.name.endswith(".fmt")
        ),
        reverse=True,
    )
    for _, key in made[KEEP_FORMATS:]:
        for suffix in (".json", ".fmt", ".seen"):
            with contextlib.suppress(OSError):
                (folder / f"{key}{suffix}").unlink()


def _write_atomically(target: Path, data: bytes) -> None:
    temp = target.with_name(f".{target.name}.{os.getpid()}.{time.monotonic_ns()}.tmp")
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(temp, target)  # replaces a symbolic link itself, never its target
    finally:
        with contextlib.suppress(FileNotFoundError):
            temp.unlink()


def _read_own(path: Path, limit: int) -> bytes | None:
    """The bytes of a plain file of this user, not over ``limit``; None otherwise."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if (
            not stat.S_ISREG(info.st_mode)
            or info.st_uid != os.getuid()
            or info.st_mode & 0o022
            or info.st_size > limit
        ):
            return None
        data = handle.read(limit + 1)
    return data if len(data) <= limit else None


def _checked(folder: Path, key: str) -> bytes | None:
    """The format ``KEY.fmt`` when its record vouches for it and nothing it read changed."""
    raw = _read_own(folder / f"{key}.json", MAX_RECORD_BYTES)
    if raw is None:
        return None
    try:
        record = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if (
        not isinstance(record, dict)
        or record.get("version") != VERSION
        or record.get("key") != key
        or not isinstance(record.get("sha256"), str)
    ):
        return None
    inputs = record.get("inputs")
    if not isinstance(inputs, list) or not inputs:
        return None
    for item in inputs:
        if not (
            isinstance(item, list)
            and len(item) == 2
            and all(isinstance(part, str) for part in item)
        ):
            return None
        if _stamp(item[0]) != item[1] or item[1] == "-":
            return None
    data = _read_own(folder / f"{key}.fmt", MAX_FORMAT_BYTES)
    if data is None or hashlib.sha256(data).hexdigest() != record["sha256"]:
        return None
    return data


@contextlib.contextmanager
def _locked(path: Path, deadline: float) -> Iterator[bool]:
    """Hold an exclusive lock on ``path`` (one dump per key at a time), until ``deadline``."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    except OSError:
        yield False
        return
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            yield False
            return
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if (
                    exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN)
                    or time.monotonic() > deadline
                ):
                    yield False
                    return
                time.sleep(0.02)
        yield True
    finally:
        os.close(fd)
