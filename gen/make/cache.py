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
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import gen
from gen.errors import CacheError
from gen.make.formats import DEFAULT_FORMATS

CACHE_DIR = ".gradsheet"
FORMAT = 1
MAX_TEMPLATE_FILES = 500


def cache_dir(out_dir: Path, *parts: str) -> Path:
    """``OUT/.gradsheet/<parts>``, created; refuses a symbolic link at ``OUT/.gradsheet``.

    Raises:
        CacheError: ``OUT/.gradsheet`` is a symbolic link or not a folder.
        OSError: A folder cannot be created.
    """
    root = Path(out_dir) / CACHE_DIR
    if root.is_symlink() or (root.exists() and not root.is_dir()):
        raise CacheError(f"{root} is not a plain folder; remove it")
    folder = root.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _hash_files(paths: Iterable[Path], base: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(str(path.relative_to(base)).encode("utf-8", "surrogateescape") + b"\0")
        try:
            digest.update(path.read_bytes())
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
    """A hash of the names and bytes of the files below ``folder``.

    Hidden files and folders, and ``skip`` (the output folder, when it lies
    inside), are left out, so that a build never invalidates itself.

    Raises:
        CacheError: More than ``MAX_TEMPLATE_FILES`` files.
    """
    folder = Path(folder).resolve()
    skip_resolved = skip.resolve() if skip is not None else None
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and (skip_resolved is None or (here / d).resolve() != skip_resolved)
        )
        files.extend(here / n for n in sorted(names) if not n.startswith("."))
        if len(files) > MAX_TEMPLATE_FILES:
            raise CacheError(f"template folder {folder} holds more than {MAX_TEMPLATE_FILES} files")
    return _hash_files(files, folder)


def input_key(
    spec: Path,
    data: bytes,
    templates: Path | None,
    formats: Iterable[str] = DEFAULT_FORMATS,
) -> str:
    """The key over a spec's inputs other than its template folder's files.

    Args:
        spec: The spec file (its resolved path takes part: a moved spec rebuilds).
        data: The spec file's bytes.
        templates: The ``--templates`` folder, if one was given.
        formats: The formats asked for (``--to``): other formats, other outputs.
    """
    digest = hashlib.sha256()
    for part in (
        str(FORMAT),
        code_hash(),
        str(spec.resolve()),
        str(templates.resolve()) if templates else "-",
        ",".join(sorted(formats)),
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


def read_manifest(out_dir: Path, name: str) -> Manifest | None:
    """The manifest of ``name``, or None when there is none or it is unreadable."""
    try:
        obj = json.loads(_manifest_path(out_dir, name).read_text("utf-8"))
        if obj.get("format") != FORMAT:
            return None
        return Manifest(
            str(obj["key"]),
            str(obj["templates"]),
            str(obj["templates_hash"]),
            bool(obj["pdf"]),
            dict(obj["outputs"]),
            list(obj["warnings"]),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def write_manifest(out_dir: Path, name: str, manifest: Manifest) -> None:
    """Store ``manifest`` atomically (a new file moved into place)."""
    folder = cache_dir(out_dir, "cache")
    target = folder / f"{name}.json"
    tmp = folder / f".{name}.{secrets.token_hex(6)}.tmp"
    try:
        tmp.write_text(json.dumps(manifest.to_json(), ensure_ascii=False), "utf-8")
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


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
    out_dir: Path, name: str, key: str, *, pdf: bool, skip: Path | None = None
) -> Manifest | None:
    """The manifest of ``name`` when its outputs are up to date for ``key``, else None.

    Up to date: same key; the PDF made if one is wanted; the template folder's
    files unchanged; every output file still of the size and mtime recorded.
    """
    manifest = read_manifest(out_dir, name)
    if manifest is None or manifest.key != key or (pdf and not manifest.pdf):
        return None
    for file, (size, mtime) in manifest.outputs.items():
        try:
            st = (Path(out_dir) / file).stat()
        except OSError:
            return None
        if st.st_size != size or st.st_mtime_ns != mtime:
            return None
    try:
        if folder_hash(Path(manifest.templates), skip) != manifest.templates_hash:
            return None
    except (CacheError, OSError):
        return None
    return manifest
