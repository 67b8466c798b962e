"""Writing output files: staging, and promoting staged files atomically, only if changed."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import stat
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path


def _check_name(name: str) -> None:
    """Refuse a name that is not one plain file name: no separators, no ``..``."""
    if (
        name in ("", ".")
        or ".." in name
        or any(sep in name for sep in ("/", "\\", "\0"))
    ):
        raise ValueError(f"not a plain file name: {name!r}")


@contextlib.contextmanager
def staging_dir(parent: Path | None = None) -> Iterator[Path]:
    """A private, temporary folder for one spec's outputs, removed on exit.

    Args:
        parent: Where to make it (the system's temporary folder when None).
    """
    with tempfile.TemporaryDirectory(prefix="gradsheet-", dir=parent) as folder:
        yield Path(folder)


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM in this thread until the block ends.

    Promotion runs inside, so that Ctrl-C never leaves one spec's outputs half
    old and half new; a signal that arrives meanwhile is delivered after.
    """
    held = {signal.SIGINT, signal.SIGTERM}
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def write_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8 with ``\\n`` line ends (for staging)."""
    write_bytes(path, text.encode("utf-8"))


def write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, never through a symbolic link (one there is replaced)."""
    path = Path(path)
    if path.is_symlink() or (os.path.lexists(path) and not path.is_file()):
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_CLOEXEC,
                 0o666)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def read_head(path: Path, limit: int, *, follow: bool = False) -> bytes:
    """At most ``limit`` bytes from the start of the regular file ``path``.

    Args:
        path: The file.
        limit: How many bytes at most.
        follow: Follow a symbolic link at ``path`` (a spec may be one; an
            output or a log may not).

    Raises:
        OSError: ``path`` is missing, a link (unless ``follow``), or not a regular file.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    fd = os.open(path, flags)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(limit)
    finally:
        os.close(fd)


def _replace_atomically(target: Path, data: bytes) -> None:
    """Write ``data`` to a new file beside ``target``, then move it over ``target``."""
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(8)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _holds(target: Path, data: bytes) -> bool:
    """Whether ``target`` is a plain file (not a link) that already holds exactly ``data``."""
    try:
        st = target.lstat()
        if not stat.S_ISREG(st.st_mode) or st.st_size != len(data):
            return False
        return read_head(target, len(data) + 1) == data
    except OSError:
        return False


def promote(staging: Path, out_dir: Path, name: str, files: Sequence[str]) -> list[str]:
    """Move one spec's staged outputs into ``out_dir``, skipping unchanged ones.

    Each file is written to a temporary file in ``out_dir`` and moved into
    place with ``os.replace``, so a reader never sees half a file. A file whose
    bytes equal those already in ``out_dir`` is left alone, mtime included.

    Args:
        staging: The folder holding the staged files.
        out_dir: The output folder; created if missing.
        name: The spec's output name; every file must be ``name`` plus a suffix
            (``NAME.tex``, ``NAME.body.tex``, ``NAME.json``, ``NAME.pdf``).
        files: File names (not paths) inside ``staging``.

    Returns:
        The names of the files written, in the order given.

    Raises:
        ValueError: A name holds a path separator or ``..``, or a file is not
            one of ``name``'s outputs; nothing is written.
        FileNotFoundError: A listed file is not staged; nothing is written.
    """
    _check_name(name)
    for file in files:
        _check_name(file)
        if not file.startswith(f"{name}."):
            raise ValueError(f"{file!r} is not an output of {name!r}")
    staged = {file: (Path(staging) / file).read_bytes() for file in files}
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for file, data in staged.items():
        target = out / file
        if _holds(target, data):
            continue
        _replace_atomically(target, data)
        written.append(file)
    return written
