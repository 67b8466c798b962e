"""Course benchmark: derive + verify of every target of specs/course, in CPU milliseconds.

Run from anywhere: ``python bench/course.py`` (``--repeat N`` timed runs per target,
default 5; ``--specs DIR`` another folder; ``--json`` the figures as JSON). Each
target is derived by each of its methods and verified as a build does
(``gen.derive.methods.derive`` then ``gen.verify.numeric.verify``), after one
untimed warm-up run; the figure is the median CPU time of the runs. The targets of
issue 10 are printed with the figures: the median over the targets at most
``TARGET_MEDIAN_MS``, none over ``TARGET_MAX_MS``. docs/performance.md ("Course")
has the figures of the last run and how to read them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
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


def _run(program: Program, target: Target, method: Method) -> None:
    verify(program, derive(program, target, method))


def measure(program: Program, target: Target, method: Method, repeat: int) -> list[float]:
    """The CPU milliseconds of ``repeat`` runs of derive + verify, after a warm-up."""
    _run(program, target, method)
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        _run(program, target, method)
        runs.append((time.process_time() - start) * 1000)
    return runs


def figures(folder: Path, repeat: int) -> list[Figure]:
    """Every target of every spec in ``folder`` (not its subfolders), by each method."""
    out = []
    for path in sorted(folder.glob("*.yaml")):
        program = build_program(load_spec(path))
        for target in program.targets:
            for method in target.methods:
                runs = measure(program, target, method, repeat)
                name = f"d{target.of.value}/d{target.wrt.value}"
                if target.order == 2:
                    name = f"d2{target.of.value}/d{target.wrt.value}2"
                out.append(Figure(path.stem, name, method.value, statistics.median(runs), runs))
    return out


def report(found: list[Figure]) -> str:
    """The table, slowest first, and the verdicts against the targets."""
    times = [f.ms for f in found]
    median, worst = statistics.median(times), max(times)
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
        f"- total: {sum(times):.0f} ms",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per derivation")
    parser.add_argument("--specs", default=str(ROOT / "specs" / "course"), help="spec folder")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    found = figures(Path(args.specs), max(1, args.repeat))
    if args.json:
        print(json.dumps([asdict(f) for f in found], indent=1))
    else:
        print(report(found))
    return 0


if __name__ == "__main__":
    sys.exit(main())
