"""``gradsheet watch``: rebuild on save, debounced, by polling the specs and their templates.

Polling (no extra dependency, works on every file system) looks at the spec
files (``*.yaml`` in the folders named, not below them) and at the files of
the template folders in use. The output folder is never looked at, even when
it lies inside a spec or template folder, so a build never triggers another.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from gen.make import cache
from gen.make.options import BuildOptions, Outcome
from gen.make.specs import find_specs, output_name
from gen.render.templatefiles import shipped_templates

Snapshot = dict[str, tuple[int, int]]


def _stat(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size)


def template_folders(specs: list[Path], options: BuildOptions) -> set[Path]:
    """The template folders the specs were last built with, and ``--templates``."""
    folders: set[Path] = set()
    if options.templates is not None:
        folders.add(options.templates.resolve())
    for path in specs:
        manifest = cache.read_manifest(options.out_dir, output_name(path), spec=path,
                                       allowed=[shipped_templates()])
        if manifest is not None:
            folders.add(Path(manifest.templates))
    return folders


def snapshot(paths: list[str], options: BuildOptions) -> Snapshot:
    """mtime and size of every watched file: spec files, and template files.

    Hidden files and folders and the output folder are skipped.
    """
    specs, _ = find_specs(paths)
    out: Snapshot = {}
    for path in specs:
        st = _stat(path)
        if st is not None:
            out[str(path)] = st
    out_dir = options.out_dir.resolve()
    for folder in sorted(template_folders(specs, options)):
        for root, dirs, names in os.walk(folder):
            here = Path(root)
            dirs[:] = [d for d in dirs if not d.startswith(".")
                       and (here / d).resolve() != out_dir]
            for name in names:
                if not name.startswith("."):
                    st = _stat(here / name)
                    if st is not None:
                        out[str(here / name)] = st
    return out


def watch(paths: list[str], options: BuildOptions,
          build: Callable[[list[Path]], list[Outcome]], *,
          interval: float = 0.5, debounce: float = 0.3,
          stop: threading.Event | None = None,
          on_wait: Callable[[int], None] | None = None) -> None:
    """Build once, then again whenever a watched file changes, until ``stop`` is set.

    Args:
        paths: The spec files and folders given.
        options: The build options (``out_dir`` is never watched).
        build: Builds the specs given (the runner with a reporter); its cache
            makes an unchanged spec a no-op.
        interval: Seconds between two looks.
        debounce: A change is built once nothing changed for this long, so
            an editor's several writes of one save make one build.
        stop: Ends the loop when set (the command line stops it with Ctrl-C).
        on_wait: Called with the number of specs each time the watcher waits.
    """
    stop = stop or threading.Event()
    seen = snapshot(paths, options)
    build(find_specs(paths)[0])
    seen = {**snapshot(paths, options), **seen}
    while not stop.is_set():
        if on_wait is not None:
            on_wait(len(find_specs(paths)[0]))
        while not stop.wait(interval):
            now = snapshot(paths, options)
            if now != seen:
                break
        else:
            return
        while not stop.wait(debounce):  # wait for the writes to settle
            later = snapshot(paths, options)
            if later == now:
                break
            now = later
        else:
            return
        build(find_specs(paths)[0])
        # Files watched from now on (a new template folder) join as they are now; a file
        # already watched keeps its state from before the build, so a save made during
        # the build is still seen.
        seen = {**snapshot(paths, options), **now}
