"""Which files of a template folder may be read: its ``*.j2`` regular files, inside it, bounded.

A template folder comes from a spec (``template:``) or the command line, so
it is read as untrusted: only files named ``*.j2`` (hidden ones aside), only
regular files (never a device, a FIFO or a socket: opening one could block),
never through a symbolic link that leaves the folder, at most
``MAX_TEMPLATE_BYTES`` each and ``MAX_TEMPLATE_FILES`` in all. Imports nothing
heavy: the cache hashes these files on every no-op build.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path, PurePosixPath

from gen.errors import TemplateFolderError

SUFFIX = ".j2"
MAX_TEMPLATE_FILES = 500
MAX_TEMPLATE_FOLDERS = 200
MAX_TEMPLATE_BYTES = 1024 * 1024


def shipped_templates() -> Path:
    """The templates shipped with gradsheet: the package ``gen.templates``, or the checkout's.

    Raises:
        FileNotFoundError: Neither place holds the sheet template.
    """
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "templates", package.parent / "templates"):
        if (candidate / "sheet.tex.j2").is_file():
            return candidate
    raise FileNotFoundError(f"gradsheet templates not found beside {package}")


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _resolved_inside(path: Path, root: Path) -> Path | None:
    """The real path of ``path`` when it lies inside ``root`` (already resolved), else None."""
    try:
        real = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    return real if _inside(real, root) else None


def template_files(folder: Path) -> list[Path]:
    """The readable template files below ``folder``, sorted (their paths as found, not resolved).

    Symbolic links are followed only when they stay inside the folder; files
    that are not regular are left out.

    Raises:
        TemplateFolderError: More than ``MAX_TEMPLATE_FILES`` template files or
            ``MAX_TEMPLATE_FOLDERS`` folders below ``folder``.
    """
    root = Path(folder).resolve()
    found: list[Path] = []
    folders = 0
    for here, dirs, names in os.walk(root):  # never descends through a symbolic link
        folders += 1
        if folders > MAX_TEMPLATE_FOLDERS:
            raise TemplateFolderError(
                f"template folder {root} holds more than {MAX_TEMPLATE_FOLDERS} folders"
            )
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names):
            if name.startswith(".") or not name.endswith(SUFFIX):
                continue
            path = Path(here) / name
            real = _resolved_inside(path, root)
            try:
                if real is None or not stat.S_ISREG(os.stat(real).st_mode):
                    continue
            except OSError:
                continue
            found.append(path)
            if len(found) > MAX_TEMPLATE_FILES:
                raise TemplateFolderError(
                    f"template folder {root} holds more than {MAX_TEMPLATE_FILES} template files"
                )
    return found


def read_template_bytes(folder: Path, name: str) -> bytes:
    """The bytes of template ``name`` (a relative path ending in ``.j2``) of ``folder``.

    Raises:
        TemplateFolderError: The name is not a template's, leaves the folder
            (``..``, a symbolic link out), is not a regular file, or the file is
            larger than ``MAX_TEMPLATE_BYTES``.
        FileNotFoundError: There is no such file.
    """
    pure = PurePosixPath(name)
    if (
        pure.is_absolute()
        or ".." in pure.parts
        or not name.endswith(SUFFIX)
        or any(part.startswith(".") for part in pure.parts)
        or "\0" in name
    ):
        raise TemplateFolderError(
            f"'{name}' is not the name of a template file (*{SUFFIX}) inside the template folder"
        )
    root = Path(folder).resolve()
    path = root.joinpath(*pure.parts)
    if not os.path.lexists(path):
        raise FileNotFoundError(path)
    real = _resolved_inside(path, root)
    if real is None:
        raise TemplateFolderError(f"template '{name}' is a symbolic link out of {root}")
    fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise TemplateFolderError(f"template '{name}' is not a regular file")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(MAX_TEMPLATE_BYTES + 1)
    finally:
        os.close(fd)
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateFolderError(
            f"template '{name}' is larger than {MAX_TEMPLATE_BYTES // 1024} KB"
        )
    return data


def template_texts(folder: Path) -> list[tuple[Path, str]]:
    """Each readable template file of ``folder`` and its text (unreadable ones left out)."""
    out: list[tuple[Path, str]] = []
    root = Path(folder).resolve()
    shown = Path(folder)
    try:
        files = template_files(root)
    except TemplateFolderError:
        return out
    for path in files:
        try:
            name = path.relative_to(root).as_posix()
            out.append((shown / name, read_template_bytes(root, name).decode("utf-8")))
        except (OSError, ValueError, TemplateFolderError):
            continue
    return out


def confinement_root(spec: Path) -> Path:
    """The folder a spec's ``template:`` must stay inside: the one holding the spec's folder.

    ``P/specs/a.yaml`` may name any folder below ``P`` (``../templates/mine``),
    not one above it nor elsewhere (``/etc``, ``../..``).
    """
    return Path(spec).resolve().parent.parent


def confined(folder: Path, spec: Path) -> bool:
    """Whether ``folder`` (links resolved) lies inside ``confinement_root(spec)``."""
    try:
        real = Path(folder).resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return _inside(real, confinement_root(spec))


def read_regular(
    path: Path, limit: int, *, follow: bool = False, own: bool = False
) -> bytes | None:
    """The bytes of the regular file at ``path`` if at most ``limit``; else None.

    Never blocks on a FIFO or a device (opened non-blocking, then refused unless a
    regular file). A link is refused unless ``follow``; with ``own``, so is a file of
    another user or one that others may write. An error opening the file raises
    OSError only when ``follow`` (the caller reports it); otherwise it means None.
    """
    flags = os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC | (0 if follow else os.O_NOFOLLOW)
    try:
        fd = os.open(path, flags)
    except OSError:
        if follow:
            raise
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        if own and (info.st_uid != os.getuid() or info.st_mode & 0o022):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read(limit + 1)
    except OSError:
        if follow:
            raise
        return None
    finally:
        os.close(fd)
    return data if len(data) <= limit else None
