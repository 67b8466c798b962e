"""Incremental builds: what a spec's outputs were made from, and whether they are current.

Each built spec leaves a manifest, ``OUT/.gradsheet/cache/NAME.json``: a key
over its inputs (the spec file's bytes and place, gradsheet's version and
code, the options that shape the outputs), the template folder used and a
hash of its files, the outputs written (size and mtime), and the warnings of
that build. A spec is up to date when all of these still hold. This module
imports nothing heavy, so that a no-op rebuild stays fast.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import secrets
import shutil
import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gen
from gen.errors import CacheError, TemplateFolderError
from gen.make.formats import DEFAULT_FORMATS
from gen.render.templatefiles import MAX_TEMPLATE_BYTES, confined, read_regular, template_files

CACHE_DIR = ".gradsheet"
FORMAT = 1
MAX_MANIFEST_BYTES = 1024 * 1024


def cache_dir(out_dir: Path, *parts: str) -> Path:
    """``OUT/.gradsheet/<parts>``, created; a symbolic link or a file in the way is replaced.

    ``OUT/.gradsheet`` itself must be a plain folder (the command line refuses a
    link there); below it, anything that is not a plain folder where one is
    needed (a link to elsewhere, a file) is removed and the folder made anew,
    so nothing is ever written through a link.

    Raises:
        CacheError: ``OUT/.gradsheet`` is a symbolic link or not a folder.
        OSError: A folder cannot be created.
    """
    root = Path(out_dir) / CACHE_DIR
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise CacheError(f"{root} is not a plain folder; remove it")
    root.mkdir(parents=True, exist_ok=True)
    if root.is_symlink() or not root.is_dir():  # made meanwhile by someone else
        raise CacheError(f"{root} is not a plain folder; remove it")
    folder = root
    for part in parts:
        if part in ("", ".", "..") or "/" in part:
            raise ValueError(f"not a plain folder name: {part!r}")
        folder = folder / part
        if folder.is_symlink() or (os.path.lexists(folder) and not folder.is_dir()):
            folder.unlink()
        folder.mkdir(exist_ok=True)
    return folder


def _hash_files(paths: Iterable[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(base)).encode("utf-8", "surrogateescape") + b"\0")
        try:  # a template file is at most MAX_TEMPLATE_BYTES; never read past that
            data = read_regular(path, MAX_TEMPLATE_BYTES, follow=True)
            digest.update(b"<unreadable>" if data is None else data)
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def code_hash() -> str:
    """gradsheet's version and a hash of its own files: Python and shipped templates.

    A template folder of the user's overrides some shipped templates and takes
    the others from gradsheet, so the shipped ones count as gradsheet's code.
    """
    package = Path(gen.__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    for shipped in (package / "templates", package.parent / "templates"):
        if (shipped / "sheet.tex.j2").is_file():
            files += sorted(shipped.rglob("*.j2")) + sorted(shipped.rglob("*.css"))
            break
    return f"{gen.__version__}:{_hash_files(files, package.parent)}"


def folder_hash(folder: Path, skip: Path | None = None) -> str:
    """A hash of the names and bytes of the template files (``*.j2``) below ``folder``.

    Only what the renderer may read counts (``gen.render.templatefiles``):
    regular ``*.j2`` files, not hidden, never through a link out of the
    folder. Files below ``skip`` (the output folder, when it lies inside) are
    left out, so that a build never invalidates itself.

    Raises:
        CacheError: The folder holds too many templates or folders, or is missing.
    """
    folder = Path(folder).resolve()
    if not folder.is_dir():
        raise CacheError(f"template folder {folder} is missing")
    skip_resolved = skip.resolve() if skip is not None else None
    try:
        files = [
            f
            for f in template_files(folder)
            if skip_resolved is None or skip_resolved not in f.parents
        ]
    except TemplateFolderError as exc:
        raise CacheError(str(exc)) from None
    return _hash_files(files, folder)


def input_key(
    spec: Path,
    data: bytes,
    templates: Path | None,
    formats: Iterable[str] = DEFAULT_FORMATS,
    settings: Iterable[str] = (),
) -> str:
    """The key over a spec's inputs other than its template folder's files.

    Args:
        spec: The spec file (its resolved path takes part: a moved spec rebuilds).
        data: The spec file's bytes.
        templates: The ``--templates`` folder, if one was given.
        formats: The formats asked for (``--to``): other formats, other outputs.
        settings: Other settings that shape the outputs (``BuildOptions.settings``).
    """
    digest = hashlib.sha256()
    for part in (
        str(FORMAT),
        code_hash(),
        str(spec.resolve()),
        str(templates.resolve()) if templates else "-",
        ",".join(sorted(formats)),
        ",".join(settings),
    ):
        digest.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest.update(data)
    return digest.hexdigest()


@dataclass
class Manifest:
    """What one spec's outputs were built from."""

    key: str
    templates: str  # the template folder used (resolved)
    templates_hash: str
    pdf: bool  # whether the PDF was made
    outputs: dict[str, list[int]] = field(default_factory=dict)  # file -> [size, mtime_ns]
    warnings: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The manifest as stored."""
        return {
            "format": FORMAT,
            "key": self.key,
            "templates": self.templates,
            "templates_hash": self.templates_hash,
            "pdf": self.pdf,
            "outputs": self.outputs,
            "warnings": self.warnings,
        }


def _manifest_path(out_dir: Path, name: str) -> Path:
    return Path(out_dir) / CACHE_DIR / "cache" / f"{name}.json"


def _is_key(text: object) -> bool:
    return isinstance(text, str) and 0 < len(text) <= 200


def _valid_outputs(name: str, outputs: object) -> dict[str, list[int]] | None:
    """The ``outputs`` of a manifest when every entry is one of ``name``'s files, else None."""
    if not isinstance(outputs, dict):
        return None
    out: dict[str, list[int]] = {}
    for file, stamp_ in outputs.items():
        if (
            not isinstance(file, str)
            or not file.startswith(f"{name}.")
            or "/" in file
            or "\\" in file
            or "\0" in file
            or ".." in file[len(name) :]
        ):
            return None
        if (
            not isinstance(stamp_, list)
            or len(stamp_) != 2
            or not all(type(v) is int and v >= 0 for v in stamp_)
        ):
            return None
        out[file] = [stamp_[0], stamp_[1]]
    return out


def _valid_warnings(warnings: object) -> list[dict[str, Any]] | None:
    """The ``warnings`` of a manifest when each is as ``warning_json`` writes it, else None."""
    if not isinstance(warnings, list):
        return None
    kinds: dict[str, tuple[type, ...]] = {
        "message": (str,),
        "file": (str, type(None)),
        "line": (int, type(None)),
        "column": (int, type(None)),
        "length": (int,),
        "source": (str, type(None)),
    }
    for w in warnings:
        if (
            not isinstance(w, dict)
            or set(w) != set(kinds)
            or any(not isinstance(w[k], t) or isinstance(w[k], bool) for k, t in kinds.items())
        ):
            return None
    return warnings


def read_manifest(
    out_dir: Path, name: str, *, spec: Path | None = None, allowed: Iterable[Path] = ()
) -> Manifest | None:
    """The manifest of ``name``, or None when there is none or it is damaged in any way.

    The cache is untrusted input: a manifest that is not a plain file, too
    large, not JSON, or whose fields have other types or values than a build
    writes (output files that are not ``name``'s, a relative template folder)
    counts as no manifest, and the spec is rebuilt. When ``spec`` is given,
    so does a template folder that is not one of ``allowed`` and lies where
    the spec's ``template:`` may not point (``templatefiles.confined``): a
    forged manifest never makes gradsheet read or watch another folder.
    """
    data = read_regular(_manifest_path(out_dir, name), MAX_MANIFEST_BYTES)
    if data is None:
        return None
    try:
        obj = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    if not isinstance(obj, dict) or obj.get("format") != FORMAT or type(obj["format"]) is not int:
        return None
    key, templates, templates_hash, pdf = (
        obj.get(k) for k in ("key", "templates", "templates_hash", "pdf")
    )
    outputs = _valid_outputs(name, obj.get("outputs"))
    warnings = _valid_warnings(obj.get("warnings"))
    if (
        not _is_key(key)
        or not isinstance(templates_hash, str)
        or len(templates_hash) > 200
        or not isinstance(pdf, bool)
        or not isinstance(templates, str)
        or not os.path.isabs(templates)
        or "\0" in templates
        or outputs is None
        or warnings is None
    ):
        return None
    if (
        spec is not None
        and Path(templates) not in {Path(p).resolve() for p in allowed}
        and not confined(Path(templates), spec)
    ):
        return None
    return Manifest(str(key), templates, str(templates_hash), pdf, outputs, warnings)


def write_manifest(out_dir: Path, name: str, manifest: Manifest) -> None:
    """Store ``manifest`` atomically (a new file moved into place, over a link if one is there)."""
    folder = cache_dir(out_dir, "cache")
    target = folder / f"{name}.json"
    tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(
            tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o666
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(manifest.to_json(), ensure_ascii=False).encode("utf-8"))
        if target.is_dir() and not target.is_symlink():  # damage: a folder in the way
            shutil.rmtree(target)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def clean_temporary(out_dir: Path) -> None:
    """Remove the temporary manifests a killed build left in ``OUT/.gradsheet/cache``."""
    folder = Path(out_dir) / CACHE_DIR / "cache"
    if folder.is_symlink() or not folder.is_dir() or (folder.parent.is_symlink()):
        return
    for entry in folder.iterdir():
        if entry.name.startswith(".") and entry.name.endswith(".tmp"):
            try:
                age = time.time() - entry.lstat().st_mtime
                if age > 3600 or entry.is_symlink() or not entry.is_file():
                    entry.unlink()
            except OSError:
                continue


def forget(out_dir: Path, name: str) -> None:
    """Drop the manifest of ``name`` (its outputs are no longer known to be current)."""
    _manifest_path(out_dir, name).unlink(missing_ok=True)


def stamp(out_dir: Path, files: Iterable[str]) -> dict[str, list[int]]:
    """Size and mtime of each output file, as a manifest records them."""
    out: dict[str, list[int]] = {}
    for file in files:
        st = (Path(out_dir) / file).stat()
        out[file] = [st.st_size, st.st_mtime_ns]
    return out


def current(
    out_dir: Path,
    name: str,
    key: str,
    *,
    pdf: bool,
    skip: Path | None = None,
    allowed: Iterable[Path] = (),
    spec: Path | None = None,
) -> Manifest | None:
    """The manifest of ``name`` when its outputs are up to date for ``key``, else None.

    Up to date: same key; the PDF made if one is wanted; the template folder's
    files unchanged; every output file a plain file (not a link) still of the
    size and mtime recorded. When ``spec`` is given, the manifest's template
    folder must be one of ``allowed`` or lie where the spec's ``template:``
    may point (``gen.render.templatefiles.confined``): a forged manifest
    naming another folder means a rebuild, and that folder is never read.
    """
    manifest = read_manifest(out_dir, name, spec=spec, allowed=allowed)
    if (
        manifest is None
        or manifest.key != key
        or (pdf and not manifest.pdf)
        or not manifest.outputs
    ):  # every build writes some file (which ones depends on the formats, in the key)
        return None
    for file, (size, mtime) in manifest.outputs.items():
        try:
            st = (Path(out_dir) / file).lstat()
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or st.st_size != size or st.st_mtime_ns != mtime:
            return None
    try:
        if folder_hash(Path(manifest.templates), skip) != manifest.templates_hash:
            return None
    except (CacheError, OSError):
        return None
    return manifest
