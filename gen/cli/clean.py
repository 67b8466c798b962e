"""``gradsheet clean``: remove what gradsheet wrote into an output folder, and nothing else.

What a build wrote is known from its manifests (``OUT/.gradsheet/cache/NAME.json``
list each output file with the size and mtime it had when written). ``clean``
removes those files that are still plain files as they were written, then the
``OUT/.gradsheet`` folder (manifests, format cache, logs, staging). It never
follows a symbolic link, and leaves a file that changed since (say why).
"""

from __future__ import annotations

import os
import shutil
import stat
from dataclasses import dataclass, field
from pathlib import Path

from gen.make import cache


@dataclass
class Cleaning:
    """What ``clean`` removes and keeps in one output folder.

    Attributes:
        files: The output files gradsheet wrote, to remove.
        folder: ``OUT/.gradsheet``, to remove (None when absent or not a plain folder).
        kept: Files and folders left alone, each with why.
    """

    files: list[Path] = field(default_factory=list)
    folder: Path | None = None
    kept: list[tuple[Path, str]] = field(default_factory=list)


def _plain(name: str) -> bool:
    return bool(name) and "/" not in name and "\\" not in name and name not in (".", "..")


def plan_clean(out_dir: Path) -> Cleaning:
    """Find what ``clean`` would remove from ``out_dir`` (nothing is touched)."""
    out = Path(out_dir)
    plan = Cleaning()
    root = out / cache.CACHE_DIR
    try:
        info = root.lstat()
    except OSError:
        return plan
    if not stat.S_ISDIR(info.st_mode):
        plan.kept.append((root, "not a plain folder (a symbolic link or a file)"))
        return plan
    plan.folder = root
    manifests = root / "cache"
    try:
        entries = sorted(manifests.iterdir()) if manifests.is_dir() else []
    except OSError:
        entries = []
    for entry in entries:
        if entry.suffix != ".json" or entry.name.startswith(".") or entry.is_symlink():
            continue
        name = entry.name[: -len(".json")]
        manifest = cache.read_manifest(out, name)
        if manifest is None:
            continue
        for file, recorded in sorted(manifest.outputs.items()):
            if not (_plain(file) and file.startswith(f"{name}.")):
                continue
            target = out / file
            why = _why_kept(target, recorded)
            if why == "":
                plan.files.append(target)
            elif why is not None:
                plan.kept.append((target, why))
    return plan


def _why_kept(target: Path, recorded: list[int]) -> str | None:
    """ "" to remove ``target``; why it stays; None when it is gone already."""
    try:
        st = target.lstat()
    except OSError:
        return None
    if stat.S_ISLNK(st.st_mode):
        return "a symbolic link, not a file gradsheet wrote"
    if not stat.S_ISREG(st.st_mode):
        return "not a plain file"
    if [st.st_size, st.st_mtime_ns] != list(recorded):
        return "changed since gradsheet wrote it"
    return ""


def clean(plan: Cleaning) -> list[tuple[Path, str]]:
    """Remove what ``plan`` lists; return what could not be removed, each with why."""
    failed: list[tuple[Path, str]] = []
    for file in plan.files:
        try:
            os.unlink(file)  # unlink never follows a link
        except OSError as exc:
            failed.append((file, exc.strerror or str(exc)))
    if plan.folder is not None:
        try:
            shutil.rmtree(plan.folder)  # never follows a link inside (avoids_symlink_attacks)
        except OSError as exc:
            failed.append((plan.folder, f"could not remove all of it: {exc.strerror or exc}"))
    return failed
