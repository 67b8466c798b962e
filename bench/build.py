"""Build benchmark: a cold build against latexmk alone, a no-op rebuild, -j 1 against -j N.

Usage: python3 bench/build.py [--specs DIR] [--repeat R] [--jobs N] [--copies K]
       python3 bench/build.py --sheets [--repeat R]   # one sheet against bare latexmk, watch
       python3 bench/build.py --scale                 # 25, 50, 100 specs with -j 2

Everything runs in one go, on a private copy of the specs, as a user runs
it (``python -m gen build``, a new process each time, so start-up counts):

* cold build: a fresh output folder, ``-j 1`` and ``-j N``;
* latexmk alone: the same ``.tex`` files (those the cold build wrote), each in
  a fresh folder, with the very command gradsheet uses, one after another
  and N at a time: the limit of what a build can cost;
* no-op rebuild: the same build again, every spec up to date.

Each figure is the median, and the best, of R rounds; the rounds interleave
the kinds of run, so that a busy moment of a shared machine touches them all
alike. The builds run a snapshot of gen/ and templates/ taken at the start,
compiled to bytecode as ``pip install`` leaves an installed package (whatever
PYTHONDONTWRITEBYTECODE says), with a cache folder of their own
(XDG_CACHE_HOME: the compiled templates), filled by the warm-up build.
``--sheets --against REF`` also runs the code of a git revision (``main``)
side by side. The ratios are printed against the targets of issue 5.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gen.make import latexmk  # noqa: E402
from gen.spec.load import load_spec  # noqa: E402


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Seconds of one run of ``command``; it must succeed."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout}{done.stderr}")
    return seconds


def code_env(work: Path, code: str = "code") -> dict[str, str]:
    """The environment of a build: the snapshot ``work/code`` and the bench's own cache folder."""
    return dict(
        os.environ,
        PYTHONPATH=str(work / code),
        XDG_CACHE_HOME=str(work / "xdg-cache"),
        GRADSHEET_TEMPLATE_CACHE=os.environ.get("GRADSHEET_TEMPLATE_CACHE", ""),
    )


def snapshot(work: Path, code: str, ref: str | None = None) -> None:
    """gen/ and templates/ (of the checkout, or of git revision ``ref``) in ``work/code``,
    compiled to bytecode as an installed package is."""
    target = work / code
    if ref is None:
        shutil.copytree(ROOT / "gen", target / "gen", ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copytree(ROOT / "templates", target / "templates")
    else:
        target.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ROOT), "archive", ref, "gen", "templates"],
            capture_output=True,
            check=True,
        ).stdout
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(target / "gen")], check=True)


def gradsheet(work: Path, out: str, *args: str) -> float:
    return timed(
        [sys.executable, "-m", "gen", "build", "specs", "-o", out, "-q", *args],
        work,
        code_env(work),
    )


def latexmk_alone(jobs: list[tuple[Path, str]], parallel: int) -> float:
    """Run latexmk on each (folder with sheet.tex, engine), ``parallel`` at a time."""
    exe = shutil.which("latexmk")
    assert exe is not None, "latexmk is not installed"
    env = latexmk._environment()

    def one(job: tuple[Path, str]) -> None:
        folder, engine = job
        done = subprocess.run(
            latexmk.latexmk_command(exe, engine, "sheet.tex"),  # type: ignore[arg-type]
            cwd=folder,
            env=env,
            capture_output=True,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode != 0:
            raise SystemExit(f"latexmk failed in {folder}")

    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        list(pool.map(one, jobs))
    return time.perf_counter() - start


def stage_tex(work: Path, built: Path, round_: int, tag: str) -> list[tuple[Path, str]]:
    """A fresh folder per spec holding its .tex as sheet.tex, and the engine it needs."""
    jobs: list[tuple[Path, str]] = []
    for spec in sorted((work / "specs").glob("*.yaml")):
        name = spec.name[: -len(".yaml")]
        folder = work / f"tex-{tag}-{round_}" / name
        folder.mkdir(parents=True)
        shutil.copyfile(built / f"{name}.tex", folder / "sheet.tex")
        jobs.append((folder, latexmk.engine_for(load_spec(spec).lang)))
    return jobs


def copy_specs(source: Path, work: Path, copies: int) -> int:
    target = work / "specs"
    target.mkdir()
    count = 0
    for spec in sorted(source.glob("*.yaml")):
        for k in range(copies):
            suffix = "" if k == 0 else f"-copy{k}"
            shutil.copyfile(spec, target / spec.name.replace(".yaml", f"{suffix}.yaml", 1))
            count += 1
    return count


def commit(ref: str) -> str:
    """The short hash of a git revision of the checkout (``+`` when the work tree differs)."""
    done = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", ref], capture_output=True, text=True
    )
    dirty = (
        ref == "HEAD"
        and subprocess.run(
            ["git", "-C", str(ROOT), "diff", "--quiet", "HEAD", "--", "gen", "templates"]
        ).returncode
    )
    return (done.stdout.strip() or ref) + ("+" if dirty else "")


def latexmk_version() -> str:
    if shutil.which("latexmk") is None:
        return "no latexmk"
    text = subprocess.run(["latexmk", "-v"], capture_output=True, text=True).stdout
    return next((row.strip() for row in text.splitlines() if row.strip()), "latexmk")


def one_build(work: Path, spec: str, out: Path, *args: str, code: str = "code") -> float:
    return timed(
        [sys.executable, "-m", "gen", "build", spec, "-o", str(out), "-q", *args],
        work,
        code_env(work, code),
    )


def bare_latexmk(tex: Path, folder: Path, engine: str) -> float:
    """Bare latexmk, with gradsheet's own sandboxed command, on ``tex`` in a fresh folder."""
    folder.mkdir(parents=True)
    shutil.copyfile(tex, folder / "sheet.tex")
    exe = shutil.which("latexmk")
    assert exe is not None, "latexmk is not installed"
    return timed(
        latexmk.latexmk_command(exe, engine, "sheet.tex"),  # type: ignore[arg-type]
        folder,
        latexmk._environment(),
    )


def tex_alone(tex: Path, folder: Path, engine: str, formats: Path) -> float:
    """gradsheet's own TeX run (``compile_pdf``) on ``tex`` in a fresh folder, in this process."""
    folder.mkdir(parents=True)
    shutil.copyfile(tex, folder / "sheet.tex")
    start = time.perf_counter()
    done = latexmk.compile_pdf(
        folder / "sheet.tex",
        engine=engine,  # type: ignore[arg-type]
        formats=formats,
    )
    seconds = time.perf_counter() - start
    if not done.ok:
        raise SystemExit(f"TeX failed in {folder}: {done.log_excerpt}")
    return seconds


def watch_latency(work: Path, spec: str, rounds: int) -> list[float]:
    """Seconds from saving ``spec`` (a new title) to its new PDF, with ``gradsheet watch``."""
    out = work / f"watch-{Path(spec).stem}"
    env = code_env(work)
    path = work / spec
    pdf = out / f"{path.name[: -len('.yaml')]}.pdf"
    original = path.read_text(encoding="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gen", "watch", spec, "-o", str(out), "-q"],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    seconds: list[float] = []
    try:
        _wait_for(lambda: pdf.is_file(), 120)
        for r in range(rounds + 1):  # the first edit warms the watcher; it is not counted
            time.sleep(1.0)
            before = pdf.stat().st_mtime_ns
            start = time.perf_counter()
            path.write_text(original.replace("title: ", f"title: Edit {r} ", 1), encoding="utf-8")
            _wait_for(lambda before=before: pdf.is_file() and pdf.stat().st_mtime_ns != before, 60)
            if r:
                seconds.append(time.perf_counter() - start)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()
        path.write_text(original, encoding="utf-8")
    return seconds


def _wait_for(ready: Callable[[], bool], limit: float) -> None:
    deadline = time.monotonic() + limit
    while not ready():
        if time.monotonic() > deadline:
            raise SystemExit("watch: no new PDF in time")
        time.sleep(0.005)


def sheets(work: Path, repeat: int, against: str | None = None) -> None:
    """One English and one Chinese sheet: gradsheet cold against bare latexmk, and watch.

    With ``against`` (a git revision, snapshot in ``work/ref``), that code's cold
    build runs in the same rounds.
    """
    pairs = [
        ("English", "specs/least-squares.yaml", "pdflatex"),
        ("Chinese", "specs/least-squares.zh.yaml", "xelatex"),
    ]
    one_build(work, "specs", work / "warm-sheets")  # TeX's caches, the format, the templates
    if against is not None:
        one_build(work, "specs", work / "warm-ref", code="ref")
    print("| sheet | run | median s | best s | all rounds s |")
    print("| --- | --- | ---: | ---: | --- |")
    for label, spec, engine in pairs:
        name = Path(spec).name[: -len(".yaml")]
        tex = work / "warm-sheets" / f"{name}.tex"
        runs: dict[str, list[float]] = {"first": [], "cold": [], "tex": [], "latexmk": []}
        if against is not None:
            runs["ref"] = []
        for r in range(repeat):
            runs["latexmk"].append(bare_latexmk(tex, work / f"bare-{name}-{r}", engine))
            runs["tex"].append(
                tex_alone(
                    tex,
                    work / f"tex-{name}-{r}",
                    engine,
                    work / "warm-sheets" / ".gradsheet" / "formats",
                )
            )
            runs["first"].append(one_build(work, spec, work / f"first-{name}-{r}"))
            cold = work / f"cold-{name}-{r}"  # holds the format, as after any earlier build
            shutil.copytree(
                work / "warm-sheets" / ".gradsheet" / "formats", cold / ".gradsheet" / "formats"
            )
            runs["cold"].append(one_build(work, spec, cold))
            if against is not None:
                ref = work / f"ref-{name}-{r}"
                shutil.copytree(
                    work / "warm-sheets" / ".gradsheet" / "formats", ref / ".gradsheet" / "formats"
                )
                runs["ref"].append(one_build(work, spec, ref, code="ref"))
        labels = {
            "latexmk": "bare latexmk on the same .tex",
            "first": "gradsheet build, empty output folder",
            "cold": "gradsheet build, sheet not built yet, format cached",
            "tex": "gradsheet's TeX run alone (compile_pdf), format cached",
        }
        if against is not None:
            labels["ref"] = f"the same with the code of {against}"
        for key, text in labels.items():
            all_ = ", ".join(f"{x:.2f}" for x in runs[key])
            print(
                f"| {label} | {text} | {statistics.median(runs[key]):.2f} | "
                f"{min(runs[key]):.2f} | {all_} |"
            )
        for key in [k for k in ("first", "cold", "tex", "ref") if k in runs]:
            print(
                f"| {label} | ratio {key} / latexmk | "
                f"{statistics.median(runs[key]) / statistics.median(runs['latexmk']):.3f} | "
                f"{min(runs[key]) / min(runs['latexmk']):.3f} | |"
            )
    for label, spec, _ in pairs:
        lat = watch_latency(work, spec, repeat)
        print(
            f"| {label} | watch: save to new PDF | {statistics.median(lat):.2f} | "
            f"{min(lat):.2f} | {', '.join(f'{x:.2f}' for x in lat)} |"
        )


def scale(work: Path, source: Path, jobs: int) -> None:
    """25, 50 and 100 specs (copies of ``source``) built cold with ``-j jobs``."""
    specs = sorted(source.glob("*.yaml"))
    print("| specs | seconds | s per spec | peak RSS MB | growth of s per spec from 25 |")
    print("| ---: | ---: | ---: | ---: | ---: |")
    base = None
    for count in (25, 50, 100):
        folder = work / f"scale-{count}"
        folder.mkdir()
        for i in range(count):
            spec = specs[i % len(specs)]
            shutil.copyfile(spec, folder / f"s{i:03d}-{spec.name}")
        env = code_env(work)
        start = time.perf_counter()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gen",
                "build",
                str(folder),
                "-o",
                str(work / f"scale-out-{count}"),
                "-q",
                "-j",
                str(jobs),
            ],
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"the build of {count} specs failed")
        per = seconds / count
        base = base or per
        print(
            f"| {count} | {seconds:.1f} | {per:.3f} | {usage.ru_maxrss / 1024:.0f} | "
            f"{per / base:.2f}x |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--specs", type=Path, default=ROOT / "specs")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=cores())
    parser.add_argument("--copies", type=int, default=1, help="build each spec K times over")
    parser.add_argument(
        "--sheets",
        action="store_true",
        help="one English and one Chinese sheet against bare latexmk; watch",
    )
    parser.add_argument("--scale", action="store_true", help="25, 50, 100 specs with -j 2")
    parser.add_argument(
        "--against", metavar="REF", help="with --sheets: also the code of git revision REF"
    )
    args = parser.parse_args()
    n = args.jobs
    with tempfile.TemporaryDirectory(prefix="gradsheet-bench-") as tmp:
        work = Path(tmp)
        count = copy_specs(args.specs, work, args.copies)
        # A snapshot of the code: an edit made meanwhile must not change what is measured.
        snapshot(work, "code")
        if args.against is not None:
            snapshot(work, "ref", args.against)
        if args.sheets or args.scale:
            print(
                f"python {platform.python_version()}, {platform.machine()}, "
                f"{latexmk_version()}, load average {os.getloadavg()[0]:.2f}"
            )
            if args.sheets:
                sheets(work, args.repeat, args.against)
            if args.scale:
                scale(work, args.specs, 2)
            print(
                f"commit {commit('HEAD')}"
                + (f", against {args.against} = {commit(args.against)}" if args.against else "")
                + f"; load average at the end {', '.join(f'{x:.2f}' for x in os.getloadavg())}"
            )
            return
        # Warm-up, alike for both sides: Python's bytecode, TeX's font and format caches.
        gradsheet(work, "warm", "-j", str(n))
        latexmk_alone(stage_tex(work, work / "warm", 0, "warm"), n)
        runs: dict[str, list[float]] = {
            k: [] for k in ("cold_n", "cold_1", "noop", "tex_serial", "tex_n")
        }
        for r in range(1, args.repeat + 1):
            runs["cold_n"].append(gradsheet(work, f"out-n-{r}", "-j", str(n)))
            runs["noop"].append(gradsheet(work, f"out-n-{r}", "-j", str(n)))
            runs["tex_n"].append(latexmk_alone(stage_tex(work, work / f"out-n-{r}", r, "n"), n))
            runs["cold_1"].append(gradsheet(work, f"out-1-{r}", "-j", "1"))
            runs["tex_serial"].append(
                latexmk_alone(stage_tex(work, work / f"out-n-{r}", r, "s"), 1)
            )
    med = {k: statistics.median(v) for k, v in runs.items()}
    best = {k: min(v) for k, v in runs.items()}
    ratios = [
        (
            "cold build -j N / latexmk alone, N at a time",
            "cold_n",
            "tex_n",
            "<= 1.25",
            lambda x: x <= 1.25,
        ),
        (
            "cold build -j 1 / latexmk alone, one after another",
            "cold_1",
            "tex_serial",
            "<= 1.25",
            lambda x: x <= 1.25,
        ),
        ("no-op rebuild / cold build -j N", "noop", "cold_n", "< 0.10", lambda x: x < 0.10),
        (
            f"cold -j 1 / cold -j {n} (speed-up)",
            "cold_1",
            "cold_n",
            ">= 1.6 (N = 2)",
            lambda x: x >= 1.6,
        ),
        (
            f"latexmk alone: one after another / {n} at a time (what TeX itself gains here)",
            "tex_serial",
            "tex_n",
            "(context)",
            lambda x: True,
        ),
    ]
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"gradsheet build benchmark: {count} specs from {args.specs}, N = {n} "
        f"({cores()} cores), {args.repeat} rounds; load average at the end {load}"
    )
    print(
        f"{platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()}, {latexmk_version()}"
    )
    print()
    print("| run | median s | best s | all rounds s |")
    print("| --- | ---: | ---: | --- |")
    names = {
        "cold_n": f"cold build, -j {n}",
        "cold_1": "cold build, -j 1",
        "noop": f"no-op rebuild, -j {n}",
        "tex_n": f"latexmk alone, {n} at a time",
        "tex_serial": "latexmk alone, one after another",
    }
    for key, label in names.items():
        rounds = ", ".join(f"{x:.2f}" for x in runs[key])
        print(f"| {label} | {med[key]:.2f} | {best[key]:.2f} | {rounds} |")
    print()
    print("| ratio | of medians | of bests | target | met (medians, bests) |")
    print("| --- | ---: | ---: | --- | --- |")
    for label, top, bottom, target, ok in ratios:
        m, b = med[top] / med[bottom], best[top] / best[bottom]
        verdict = f"{'yes' if ok(m) else 'NO'}, {'yes' if ok(b) else 'NO'}"
        print(f"| {label} | {m:.3f} | {b:.3f} | {target} | {verdict} |")


if __name__ == "__main__":
    main()
