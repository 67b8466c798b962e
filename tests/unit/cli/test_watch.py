"""The watcher: one build per save (debounced), template changes seen, outputs never watched."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from gen.cli.watch import snapshot, watch
from gen.make import cache
from gen.make.options import BuildOptions


def bump(path: Path, text: str) -> None:
    """Write ``text`` and move the mtime on, whatever the file system's clock resolution."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text)
    st = path.stat()
    if st.st_mtime_ns <= before:
        os.utime(path, ns=(st.st_atime_ns, before + 10**6))


class Watcher:
    """``watch`` in a thread, recording each build."""

    def __init__(self, paths: list[str], options: BuildOptions) -> None:
        self.builds: list[list[str]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(
            target=watch,
            args=(paths, options, self.build),
            kwargs={"interval": 0.02, "debounce": 0.05, "stop": self.stop},
            daemon=True,
        )

    def build(self, specs):
        self.builds.append(sorted(p.name for p in specs))
        return []

    def wait_for(self, count: int) -> None:
        deadline = time.monotonic() + 30
        while len(self.builds) < count and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(self.builds) >= count, self.builds

    def settle(self) -> None:
        """Let several polls and debounces pass."""
        time.sleep(0.5)

    def __enter__(self):
        self.thread.start()
        self.wait_for(1)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive()


def test_a_save_rebuilds_and_outputs_inside_the_spec_folder_do_not(tmp_path):
    specs = tmp_path / "specs"
    specs.mkdir()
    spec = specs / "a.yaml"
    bump(spec, "title: A\n")
    out = specs / "output"
    options = BuildOptions(out)
    with Watcher([str(specs)], options) as w:
        assert w.builds == [["a.yaml"]]
        bump(spec, "title: B\n")
        w.wait_for(2)
        out.mkdir()
        bump(out / "a.pdf", "pdf")
        bump(out / "a.json", "{}")
        (out / ".gradsheet").mkdir()
        bump(out / ".gradsheet" / "state.yaml", "x")
        w.settle()
        assert len(w.builds) == 2
        bump(specs / "b.yaml", "title: B\n")
        w.wait_for(3)
        assert w.builds[2] == ["a.yaml", "b.yaml"]


def test_several_writes_of_one_save_make_one_build(tmp_path):
    spec = tmp_path / "a.yaml"
    bump(spec, "title: A\n")
    with Watcher([str(spec)], BuildOptions(tmp_path / "out")) as w:
        for i in range(5):
            bump(spec, f"title: A{i}\n")
            time.sleep(0.005)
        w.wait_for(2)
        w.settle()
        assert len(w.builds) == 2


def test_the_templates_a_spec_was_built_with_are_watched(tmp_path):
    spec = tmp_path / "a.yaml"
    bump(spec, "title: A\n")
    templates = tmp_path / "tpl"
    templates.mkdir()
    bump(templates / "sheet.tex.j2", "sheet")
    out = tmp_path / "out"
    manifest = cache.Manifest("k", str(templates.resolve()), "", True)
    cache.write_manifest(out, "a", manifest)
    assert str(templates / "sheet.tex.j2") in snapshot([str(spec)], BuildOptions(out))
    with Watcher([str(spec)], BuildOptions(out)) as w:
        bump(templates / "sheet.tex.j2", "sheet, edited")
        w.wait_for(2)
        bump(templates / ".sheet.tex.j2.swp", "editor state")
        w.settle()
        assert len(w.builds) == 2
