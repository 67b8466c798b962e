"""Ctrl-C, SIGTERM and a hanging TeX: no TeX left running, no partial files, old outputs kept."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from gen.cli.main import main
from gen.make import latexmk
from gen.render.sheet import default_templates_dir
from tests.e2e.cli_helpers import ROOT, outputs, processes_below, small

LOOP = "\\documentclass{article}\n\\begin{document}\n\\def\\x{\\x}\\x\n\\end{document}\n"


@pytest.fixture(autouse=True)
def _runs_allowed_after_each_test():
    """A build stopped while a (stubbed) thread is stuck keeps TeX runs refused, as it
    must while that thread lives; the next test starts from a process that may run TeX."""
    yield
    latexmk.allow_runs()


@pytest.fixture()
def hanging(tmp_path) -> Path:
    """A template folder whose sheet never finishes typesetting."""
    folder = tmp_path / "hang"
    shutil.copytree(default_templates_dir(), folder)
    (folder / "sheet.tex.j2").write_text(LOOP)
    return folder


def _wait_for(predicate, what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"no {what} after {seconds} s"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_tex_and_leaves_no_partial_files(tmp_path, tex, hanging, signum):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    before = outputs(out)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gen",
            "build",
            str(spec),
            "-o",
            str(out),
            "--templates",
            str(hanging),
            "--force",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        _wait_for(lambda: any("tex" in p for p in processes_below(out)), "TeX run")
        proc.send_signal(signum)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 128 + signum
    assert "gradsheet: interrupted; TeX stopped, unfinished outputs discarded" in err
    assert "Traceback" not in err
    _wait_for(lambda: processes_below(out) == [], "end of the TeX processes", 10)
    assert outputs(out) == before
    assert list((out / ".gradsheet" / "tmp").iterdir()) == []


def test_tex_can_never_hang_a_build(tmp_path, tex, hanging, capsys):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    assert (
        main(["build", str(spec), "-o", str(out), "--templates", str(hanging), "--timeout", "3"])
        == 1
    )
    err = capsys.readouterr().err
    assert f"{spec}: error: LaTeX failed: TeX timed out after 3 s: pdflatex was killed" in err
    assert processes_below(out) == []
    assert outputs(out) == {}


def test_staging_left_by_a_killed_build_is_cleaned_up(tmp_path):
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"
    stale = out / ".gradsheet" / "tmp" / "run-999999999-1"
    (stale / "0").mkdir(parents=True)
    (stale / "0" / "ls.tex").write_text("half a file")
    assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 0
    assert not stale.exists()


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_a_build_within_a_second_even_with_a_stuck_thread(
    tmp_path, monkeypatch, signum
):
    from gen.make import pipeline

    release = threading.Event()
    entered = threading.Event()

    def stuck(prepared, options, *, cancelled=None):
        entered.set()
        release.wait(60)  # a thread stuck in a system call, deaf to the stop
        raise AssertionError("a stopped build went on")

    monkeypatch.setattr(pipeline, "typeset", stuck)
    spec = small(tmp_path / "specs")
    out = tmp_path / "out"

    sent: list[float] = []

    def stop() -> None:
        entered.wait(30)
        time.sleep(0.2)
        sent.append(time.monotonic())
        os.kill(os.getpid(), signum)

    killer = threading.Thread(target=stop, daemon=True)
    killer.start()
    try:
        assert main(["build", str(spec), "-o", str(out), "--no-pdf"]) == 128 + signum
        stopped = time.monotonic()
    finally:
        release.set()
    assert entered.is_set() and stopped - sent[0] < 1.0
    assert outputs(out) == {}
    assert list((out / ".gradsheet" / "tmp").iterdir()) == []


def test_the_stop_waits_for_stuck_threads_at_most_a_moment(monkeypatch):
    from gen.make import runner

    release = threading.Event()
    pool = runner._Pool(2)
    future = pool.submit(lambda: release.wait(60))
    start = time.monotonic()
    pool.stop(runner.STOP_WAIT)
    assert time.monotonic() - start < 1
    assert all(t.daemon for t in pool.threads) and not future.done()
    release.set()
