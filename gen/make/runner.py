"""Building many specs: the cache first, then derivation here and TeX in parallel threads.

The calculus and the rendering run in the calling (main) thread, one spec
after another; each rendered spec's TeX run goes to a pool of ``jobs``
threads, so the next spec is derived while the last one is typeset. Ctrl-C
or SIGTERM stops it all: the TeX process groups are killed, nothing
unfinished is promoted, and the staging folders are removed.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from gen.errors import CacheError, GenError, InternalError, Interrupted, Span
from gen.make import cache
from gen.make.options import BuildOptions, Outcome, Status
from gen.make.outputs import read_head
from gen.make.specs import name_problem, output_name, path_problem, shown_path
from gen.render.templatefiles import shipped_templates

if TYPE_CHECKING:
    from gen.make import pipeline, texearly


class Reporter(Protocol):
    """Where the runner tells what it does (gen.cli.progress has the real ones)."""

    def begin(self, total: int) -> None:
        """The run starts with ``total`` specs."""

    def working(self, name: str, stage: str) -> None:
        """Spec ``name`` enters ``stage``."""

    def done(self, outcome: Outcome) -> None:
        """A spec is finished."""


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT and SIGTERM into ``Interrupted`` in the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise Interrupted(signum)

    previous = {}
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) is not signal.SIG_IGN:
            previous[signum] = signal.signal(signum, stop)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


@contextlib.contextmanager
def _shielded() -> Iterator[None]:
    """Ignore SIGINT and SIGTERM while cleaning up (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {s: signal.signal(s, signal.SIG_IGN) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


MAX_SPEC_BYTES = 2 * 1024 * 1024  # read for the cache key; the loader refuses past 1 MB
STOP_WAIT = 0.5  # seconds a stopped build waits for its TeX threads before leaving them


class _Job:
    """One piece of work given to the pool, and what it gave (a future without ``logging``)."""

    def __init__(self, work: Callable[[], Outcome]) -> None:
        """Hold ``work`` until a thread runs it."""
        self.work = work
        self.finished = threading.Event()
        self.lock = threading.Lock()
        self.state = "pending"  # then "running" or "cancelled"
        self.value: Outcome | None = None
        self.error: BaseException | None = None

    def start(self) -> bool:
        """Mark it running, unless it was cancelled."""
        with self.lock:
            if self.state == "cancelled":
                return False
            self.state = "running"
            return True

    def cancel(self) -> bool:
        """Cancel it if no thread has started it."""
        with self.lock:
            if self.state == "pending":
                self.state = "cancelled"
            return self.state == "cancelled"

    def done(self) -> bool:
        """Whether it has run (returned or raised)."""
        return self.finished.is_set()

    def result(self) -> Outcome:
        """What it returned; what it raised is raised again."""
        if self.error is not None:
            raise self.error
        assert self.value is not None
        return self.value


class _Pool:
    """``jobs`` daemon threads running submitted work; a stuck one never holds up an exit.

    ``concurrent.futures.ThreadPoolExecutor`` joins its threads when Python
    exits, so one thread stuck in a system call would keep a stopped build
    alive; these threads are daemons, and ``stop`` waits for them only briefly.
    Each finished job is also put on ``finished``, for the caller to wait on.
    """

    def __init__(self, jobs: int) -> None:
        self.work: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.finished: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self.threads = [
            threading.Thread(target=self._run, name=f"tex-{i}", daemon=True)
            for i in range(max(1, jobs))
        ]
        for thread in self.threads:
            thread.start()

    def _run(self) -> None:
        while (job := self.work.get()) is not None:
            if not job.start():
                continue
            try:
                job.value = job.work()
            except BaseException as exc:  # noqa: BLE001 - handed to the waiting thread
                job.error = exc
            job.finished.set()
            self.finished.put(job)

    def submit(self, work: Callable[[], Outcome]) -> _Job:
        """Run ``work`` on a free thread; its job."""
        job = _Job(work)
        self.work.put(job)
        return job

    def wait(self, seconds: float) -> None:
        """Wait until a job finishes, or ``seconds`` pass."""
        with contextlib.suppress(queue.Empty):
            self.finished.get(timeout=seconds)

    def stop(self, seconds: float | None) -> None:
        """No more work; wait up to ``seconds`` (None: for ever) for the threads to end."""
        for _ in self.threads:
            self.work.put(None)
        deadline = None if seconds is None else time.monotonic() + seconds
        for thread in self.threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))


def clean_stale(out_dir: Path) -> None:
    """Remove the staging folders of runs that were killed (their process is gone)."""
    folder = Path(out_dir) / cache.CACHE_DIR / "tmp"
    if not folder.is_dir() or folder.is_symlink():
        return
    for entry in folder.iterdir():
        parts = entry.name.split("-")
        if (
            len(parts) >= 3
            and parts[0] == "run"
            and parts[1].isdigit()
            and not _alive(int(parts[1]))
        ):
            shutil.rmtree(entry, ignore_errors=True)


def _names(specs: list[Path]) -> tuple[list[tuple[Path, str]], list[Outcome]]:
    """Each spec with its output name; a failed outcome for a bad or repeated name."""
    good: list[tuple[Path, str]] = []
    bad: list[Outcome] = []
    owner: dict[str, Path] = {}
    for path in specs:
        name = output_name(path)
        why = name_problem(name)
        if why is None and name in owner:
            why = f"{shown_path(owner[name])} has the same output name"
        message = f"cannot name outputs after '{shown_path(name)}': {why}; rename the spec file"
        folder = path_problem(path.parent)
        if why is None and folder is not None:
            message = f"cannot build this spec: {folder}; rename its folder"
        if why is not None or folder is not None:
            error = GenError(message, Span(shown_path(path)))
            bad.append(Outcome(str(path), name, False, [error]).fail())
            continue
        owner[name] = path
        good.append((path, name))
    return good, bad


def _warnings(stored: list[dict[str, object]]) -> list[GenError]:
    out = []
    for w in stored:
        line, column, length = w.get("line"), w.get("column"), w.get("length")
        span = Span(
            str(w.get("file")) if w.get("file") else None,
            line if isinstance(line, int) else None,
            column if isinstance(column, int) else None,
            length if isinstance(length, int) else 1,
            str(w["source"]) if w.get("source") is not None else None,
        )
        out.append(GenError(str(w.get("message", "")), span, kind="warning"))
    return out


def _up_to_date(path: Path, name: str, options: BuildOptions) -> tuple[Outcome | None, str]:
    """The outcome of a spec whose outputs are current (else None), and its cache key."""
    try:
        data = read_head(path, MAX_SPEC_BYTES + 1, follow=True)  # no FIFO, nothing huge
    except OSError:
        return None, ""
    if len(data) > MAX_SPEC_BYTES:
        return None, ""
    key = cache.input_key(path, data, options.templates, options.formats, options.settings)
    if options.force:
        return None, key
    allowed = [shipped_templates()] if options.templates is None else [options.templates]
    manifest = cache.current(
        options.out_dir,
        name,
        key,
        pdf=options.typesets,
        skip=options.out_dir,
        allowed=allowed,
        spec=path,
    )
    if manifest is None:
        return None, key
    outcome = Outcome(
        str(path), name, True, status=Status.CURRENT, warnings=_warnings(manifest.warnings)
    )
    if options.strict and outcome.warnings:
        count = len(outcome.warnings)
        outcome.fail(
            GenError(
                f"{count} warning{'s' if count > 1 else ''}, and --strict makes "
                "warnings fail the build",
                Span(str(path)),
            )
        )
    return outcome, key


def build_all(specs: list[Path], options: BuildOptions, reporter: Reporter) -> list[Outcome]:
    """Build every spec that is not up to date; return the outcomes in spec order.

    Raises:
        Interrupted: On SIGINT or SIGTERM, after TeX is killed and staging removed.
    """
    named, outcomes = _names(specs)
    reporter.begin(len(specs))
    for outcome in outcomes:
        reporter.done(outcome)
    stale: list[tuple[Path, str, str]] = []
    for path, name in named:
        fresh, key = _up_to_date(path, name, options)
        if fresh is None:
            stale.append((path, name, key))
        else:
            outcomes.append(fresh)
            reporter.done(fresh)
    if stale:
        try:
            outcomes.extend(_build(stale, options, reporter))
        except (OSError, CacheError) as exc:  # the output folder cannot be written
            why = _why(exc) if isinstance(exc, OSError) else str(exc)
            for path, name, _ in stale:
                error = GenError(
                    f"cannot write in the output folder {options.out_dir}: {why}", Span(str(path))
                )
                failed = Outcome(str(path), name, False, [error]).fail()
                outcomes.append(failed)
                reporter.done(failed)
    order = {str(p): i for i, p in enumerate(specs)}
    return sorted(outcomes, key=lambda o: order.get(o.path, len(order)))


def _build(
    stale: list[tuple[Path, str, str]], options: BuildOptions, reporter: Reporter
) -> list[Outcome]:
    from gen.make import texearly
    from gen.make.texformat import formats_dir

    clean_stale(options.out_dir)
    cache.clean_temporary(options.out_dir)
    run = cache.cache_dir(options.out_dir, "tmp") / f"run-{os.getpid()}-{time.monotonic_ns()}"
    run.mkdir()
    cancelled = threading.Event()
    texearly.latexmk.allow_runs()
    # TeX starts loading now, while the calculus is imported and the first spec derived.
    early = (
        texearly.start(run / "early", stale[0][0], formats_dir(options.out_dir))
        if options.typesets
        else None
    )
    try:
        from gen.make import latexmk, pipeline
    except BaseException:
        _close(early)
        shutil.rmtree(run, ignore_errors=True)
        raise
    pool = _Pool(options.jobs)
    pending: dict[_Job, float] = {}
    done: list[Outcome] = []

    def finish(future: _Job) -> None:
        outcome = future.result()
        outcome.seconds += pending.pop(future)
        done.append(outcome)
        reporter.done(outcome)

    def typeset(prepared: pipeline.Prepared) -> Callable[[], Outcome]:
        def work() -> Outcome:
            start = time.monotonic()
            try:
                more = {} if early is None else {"early": early}  # only when TeX runs
                outcome = pipeline.typeset(prepared, options, cancelled=cancelled, **more)
                outcome.seconds = time.monotonic() - start
                return outcome
            except OSError as exc:  # a full disk, a read-only folder: the spec fails
                return prepared.outcome.fail(
                    GenError(
                        f"cannot write the outputs of {prepared.outcome.name}: {_why(exc)}",
                        Span(prepared.outcome.path),
                    )
                )
            except Exception as exc:  # noqa: BLE001 - a bug must not stop the other specs
                bug = InternalError(
                    f"internal error while typesetting: {type(exc).__name__}: "
                    f"{exc} (a bug in gradsheet; please report it)",
                    Span(prepared.outcome.path),
                )
                bug.detail = "".join(traceback.format_exception(exc))
                prepared.outcome.internal = True
                return prepared.outcome.fail(bug)

        return work

    try:
        with stop_on_signals():
            for index, (path, name, key) in enumerate(stale):
                start = time.monotonic()
                reporter.working(name, "deriving")
                prepared = _prepare(path, name, options, run / str(index), key)
                if isinstance(prepared, pipeline.Outcome):
                    prepared.seconds = time.monotonic() - start
                    done.append(prepared)
                    reporter.done(prepared)
                else:
                    reporter.working(name, "typesetting" if options.typesets else "writing")
                    pending[pool.submit(typeset(prepared))] = time.monotonic() - start
                for future in [f for f in pending if f.done()]:
                    finish(future)
            while pending:
                pool.wait(0.5)
                for future in [f for f in pending if f.done()]:
                    finish(future)
    except BaseException:
        with _shielded():
            cancelled.set()
            latexmk.stop_runs()
            _close(early)
            for future in pending:
                future.cancel()
            pool.stop(STOP_WAIT)
            shutil.rmtree(run, ignore_errors=True)
            if not any(thread.is_alive() for thread in pool.threads):
                latexmk.allow_runs()  # stopped for good: a later run in this process may start
        raise
    _close(early)
    pool.stop(None)
    shutil.rmtree(run, ignore_errors=True)
    return done


def _close(early: texearly.EarlyRun | None) -> None:
    if early is not None:
        early.close()


def _prepare(
    path: Path, name: str, options: BuildOptions, staging: Path, key: str
) -> pipeline.Prepared | Outcome:
    """``pipeline.prepare``, with a failure to write (or a bug) kept to this one spec."""
    from gen.make import pipeline

    try:
        return pipeline.prepare(path, options, staging, key=key)
    except OSError as exc:
        error = GenError(f"cannot write the outputs of {name}: {_why(exc)}", Span(str(path)))
        return Outcome(str(path), name, False, [error]).fail()
    except Exception as exc:  # noqa: BLE001 - a bug must not stop the other specs
        bug = InternalError(
            f"internal error while preparing the sheet: {type(exc).__name__}: "
            f"{exc} (a bug in gradsheet; please report it)",
            Span(str(path)),
        )
        bug.detail = "".join(traceback.format_exception(exc))
        outcome = Outcome(str(path), name, False, [bug]).fail()
        outcome.internal = True
        return outcome


def _why(exc: OSError) -> str:
    """An OSError in words: its reason and the file, without Python's decoration."""
    where = f": {exc.filename}" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"
