"""Course benchmark: derive + verify of every target of specs/course, in CPU milliseconds.

Run from anywhere: ``python bench/course.py`` (``--repeat N`` timed runs per target,
default 5; ``--specs DIR`` another folder; ``--json`` the figures as JSON;
``--profile N`` a cProfile of one run of every derivation, its N costliest functions
by cumulative time, instead of the figures). Each
target is derived by each of its methods and verified as a build does
(``gen.derive.methods.derive`` then ``gen.verify.numeric.verify``), after one
untimed warm-up run; the figure is the median CPU time of the runs, and the report
says how it divides between the derivation and the numeric check. The targets of
issue 10 are printed with the figures: the median over the targets at most
``TARGET_MEDIAN_MS``, none over ``TARGET_MAX_MS``. docs/performance.md ("Course")
has the figures of the last run and how to read them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import statistics
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from gen.derive.methods import derive  # noqa: E402
from gen.program import Program, build_program  # noqa: E402
from gen.spec.load import load_spec  # noqa: E402
from gen.spec.model import Method, Target  # noqa: E402
from gen.verify.numeric import verify  # noqa: E402

TARGET_MEDIAN_MS = 10.0
TARGET_MAX_MS = 200.0


@dataclass
class Figure:
    """One derivation's cost: the spec, its target and method, and the median CPU ms."""

    spec: str
    target: str
    method: str
    ms: float
    runs: list[float]
    derive_ms: float = 0.0  # the median of the derivation's part of the runs
    verify_ms: float = 0.0  # the median of the numeric check's part


def _run(program: Program, target: Target, method: Method) -> tuple[float, float]:
    """One derive + verify: the CPU milliseconds of each."""
    start = time.process_time()
    derivation = derive(program, target, method)
    middle = time.process_time()
    verify(program, derivation)
    end = time.process_time()
    return (middle - start) * 1000, (end - middle) * 1000


def measure(
    program: Program, target: Target, method: Method, repeat: int
) -> list[tuple[float, float]]:
    """The CPU milliseconds (derive, verify) of ``repeat`` runs, after a warm-up."""
    _run(program, target, method)
    return [_run(program, target, method) for _ in range(repeat)]


def figures(folder: Path, repeat: int) -> list[Figure]:
    """Every target of every spec in ``folder`` (not its subfolders), by each method."""
    out = []
    for path in sorted(folder.glob("*.yaml")):
        program = build_program(load_spec(path))
        for target in program.targets:
            for method in target.methods:
                parts = measure(program, target, method, repeat)
                runs = [a + b for a, b in parts]
                name = f"d{target.of.value}/d{target.wrt.value}"
                if target.order == 2:
                    name = f"d2{target.of.value}/d{target.wrt.value}2"
                out.append(
                    Figure(
                        path.stem,
                        name,
                        method.value,
                        statistics.median(runs),
                        runs,
                        statistics.median(a for a, _ in parts),
                        statistics.median(b for _, b in parts),
                    )
                )
    return out


def profile(folder: Path, top: int) -> str:
    """A cProfile of one run of every derivation in ``folder`` (after a warm-up of each),
    its ``top`` costliest functions by cumulative time."""
    jobs = []
    for path in sorted(folder.glob("*.yaml")):
        program = build_program(load_spec(path))
        for target in program.targets:
            for method in target.methods:
                _run(program, target, method)
                jobs.append((program, target, method))
    profiler = cProfile.Profile()
    profiler.enable()
    for job in jobs:
        _run(*job)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(top)
    return out.getvalue()


def report(found: list[Figure]) -> str:
    """The table, slowest first, and the verdicts against the targets."""
    times = [f.ms for f in found]
    median, worst = statistics.median(times), max(times)
    derive_total, verify_total = sum(f.derive_ms for f in found), sum(f.verify_ms for f in found)
    share = verify_total / max(derive_total + verify_total, 1e-9)
    lines = [
        f"python {platform.python_version()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; {len(found)} derivations, CPU ms",
        "",
        "| spec | target | method | median ms |",
        "| --- | --- | --- | ---: |",
    ]
    for f in sorted(found, key=lambda f: -f.ms):
        lines.append(f"| {f.spec} | {f.target} | {f.method} | {f.ms:.1f} |")
    lines += [
        "",
        f"- median over the derivations: {median:.2f} ms (target at most {TARGET_MEDIAN_MS:g}): "
        + ("met" if median <= TARGET_MEDIAN_MS else "NOT met"),
        f"- slowest: {worst:.1f} ms (target: none over {TARGET_MAX_MS:g}): "
        + ("met" if worst <= TARGET_MAX_MS else "NOT met"),
        f"- total: {sum(times):.0f} ms; the medians of the parts: derive "
        f"{statistics.median(f.derive_ms for f in found):.2f} ms, verify "
        f"{statistics.median(f.verify_ms for f in found):.2f} ms; the numeric check "
        f"{share:.0%} of the sum of the parts ({derive_total:.0f} + {verify_total:.0f} ms)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per derivation")
    parser.add_argument("--specs", default=str(ROOT / "specs" / "course"), help="spec folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--profile", type=int, metavar="N", help="a cProfile of one run: its N costliest functions"
    )
    args = parser.parse_args(argv)
    if args.profile:
        print(profile(Path(args.specs), args.profile))
        return 0
    found = figures(Path(args.specs), max(1, args.repeat))
    if args.json:
        print(json.dumps([asdict(f) for f in found], indent=1))
    else:
        print(report(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
