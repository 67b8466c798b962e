"""Compiled templates kept between runs: Jinja's bytecode in the user's cache folder, checked.

Compiling the sheet's templates costs a new process more than deriving the
sheet, so the code Jinja makes of each template is kept in
``$XDG_CACHE_HOME/gradsheet/templates`` (``~/.cache/gradsheet/templates``),
one file per template, keyed by the template's name and file, the whole
configuration of the environment that compiled it (its class, code generator,
delimiters, filters and tests, this module's and the sandbox's code, Jinja's
and Python's versions), and checked against the SHA-256 of the template's text.

A cache entry is code, so it lives where the user's own code caches live, and
never under the output folder (which may come from anyone: a copied or cloned
``OUT/.gradsheet`` must not run code). The folders must be plain folders of
this user that no one else may write, the entry a plain file of this user of
sane size whose code hashes to the SHA-256 it carries (damaged code could crash
Python, not just fail); anything else, or an entry that is stale or of another
version, means the template is compiled again (and the entry rewritten). A
cache that cannot be made or written (no home, a read-only disk) is no cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import stat
import sys
import time
from pathlib import Path
from types import CodeType
from typing import TYPE_CHECKING

from jinja2.bccache import Bucket, BytecodeCache

from gen.render.templatefiles import read_regular

if TYPE_CHECKING:
    from jinja2 import Environment

VERSION = b"gradsheet-templates-1"  # bump when the format of an entry changes
MAX_ENTRY_BYTES = 8 * 1024 * 1024
_MAGIC = VERSION + b"\0" + f"{sys.implementation.cache_tag}\0{sys.version}".encode() + b"\0"
_DIGEST = 64  # hex characters of a SHA-256


def cache_folder() -> Path | None:
    """``$XDG_CACHE_HOME/gradsheet/templates`` (else ``~/.cache/...``), made; None if unusable.

    Its two last folders are made ``0700``; each must be a plain folder (not a
    link) of this user that no other user may write.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    try:
        root = Path(base) if os.path.isabs(base) else Path.home() / ".cache"
    except (RuntimeError, KeyError):
        return None
    folder = root
    for part in ("gradsheet", "templates"):
        folder = folder / part
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = folder.lstat()
        except OSError:
            return None
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
            return None
    return folder


def config_hash(environment: Environment, code: str = "") -> str:
    """What decides the code Jinja makes of a template, besides its text, as a hash.

    Args:
        environment: The environment that compiles.
        code: A hash of the code of the environment's class (``code_hash``).
    """
    parts = [
        VERSION.decode(),
        _jinja_version(),
        type(environment).__module__,
        type(environment).__qualname__,
        environment.code_generator_class.__module__,
        environment.code_generator_class.__qualname__,
        repr(sorted(getattr(environment, "intercepted_binops", ()))),
        repr(sorted(getattr(environment, "intercepted_unops", ()))),
        environment.block_start_string,
        environment.block_end_string,
        environment.variable_start_string,
        environment.variable_end_string,
        environment.comment_start_string,
        environment.comment_end_string,
        repr(environment.line_statement_prefix),
        repr(environment.line_comment_prefix),
        repr((environment.trim_blocks, environment.lstrip_blocks)),
        repr((environment.newline_sequence, environment.keep_trailing_newline)),
        repr((environment.optimized, environment.is_async, environment.finalize is None)),
        repr(environment.autoescape) if isinstance(environment.autoescape, bool) else "?",
        repr(sorted(environment.filters)),
        repr(sorted(environment.tests)),
        repr(sorted(environment.extensions)),
        code,
    ]
    return _sha256("\0".join(parts).encode("utf-8", "surrogatepass"))


class TemplateCache(BytecodeCache):
    """Jinja's bytecode cache over one folder (see ``cache_folder``), every entry checked."""

    def __init__(self, folder: Path) -> None:
        """Keep compiled templates in ``folder``."""
        self.folder = Path(folder)
        self.code: dict[type, str] = {}  # the code hash of each environment class met

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        """The bucket of a template, keyed by the environment's configuration hash too."""
        kind = type(environment)
        if kind not in self.code:
            self.code[kind] = code_hash(kind)
        key = _sha256(
            "\0".join((config_hash(environment, self.code[kind]), name, filename or "")).encode(
                "utf-8", "surrogatepass"
            )
        )
        bucket = Bucket(environment, key, self.get_source_checksum(source))
        self.load_bytecode(bucket)
        return bucket

    def get_source_checksum(self, source: str) -> str:
        """The SHA-256 of the template's text."""
        return _sha256(source.encode("utf-8", "surrogatepass"))

    def load_bytecode(self, bucket: Bucket) -> None:
        """The entry's code into ``bucket``, when the entry is sound and current; else nothing."""
        data = read_regular(self.folder / f"{bucket.key}.bin", MAX_ENTRY_BYTES, own=True)
        code = None if data is None else _code(data, bucket.checksum)
        if code is not None:
            bucket.code = code

    def dump_bytecode(self, bucket: Bucket) -> None:
        """Write the bucket's code (by an atomic rename); a failure to write is ignored."""
        if bucket.code is None:
            return
        code = marshal.dumps(bucket.code)
        data = _MAGIC + bucket.checksum.encode("ascii") + _sha256(code).encode("ascii") + code
        target = self.folder / f"{bucket.key}.bin"
        temp = self.folder / f".{bucket.key}.{os.getpid()}.{time.monotonic_ns()}.tmp"
        try:
            fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(temp, target)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                temp.unlink()

    def clear(self) -> None:
        """Remove every entry of the folder."""
        for entry in self.folder.glob("*.bin"):
            with contextlib.suppress(OSError):
                entry.unlink()


def template_cache() -> TemplateCache | None:
    """The cache of compiled templates, or None when it is off or has no usable folder.

    Off unless ``GRADSHEET_TEMPLATE_CACHE=1``: by default a build writes nothing
    outside its output folder (docs/cli.md), and compiled code may not live there.
    """
    if os.environ.get("GRADSHEET_TEMPLATE_CACHE", "") != "1":
        return None
    folder = cache_folder()
    return None if folder is None else TemplateCache(folder)


def _code(data: bytes, checksum: str) -> CodeType | None:
    """The code of an entry's bytes when they are of this version and this text; else None."""
    head = len(_MAGIC)
    if not data.startswith(_MAGIC) or data[head : head + _DIGEST] != checksum.encode("ascii"):
        return None
    sealed, payload = data[head + _DIGEST : head + 2 * _DIGEST], data[head + 2 * _DIGEST :]
    if sealed != _sha256(payload).encode("ascii"):  # damaged code could crash the interpreter
        return None
    try:
        code = marshal.loads(payload)
    except Exception:  # noqa: BLE001 - damaged bytes: compile again
        return None
    return code if isinstance(code, CodeType) else None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _jinja_version() -> str:
    import jinja2

    return str(getattr(jinja2, "__version__", "?"))


def code_hash(kind: type) -> str:
    """A hash of the files of this module and of the module that defines ``kind``."""
    digest = hashlib.sha256()
    for name in sorted({__name__, kind.__module__}):
        path = getattr(sys.modules.get(name), "__file__", None)
        try:
            digest.update(Path(path).read_bytes() if path else b"?")
        except OSError:
            digest.update(b"?")
    return digest.hexdigest()
