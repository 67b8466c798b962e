"""Engine benchmark: derive + verify per target against SymPy's MatrixSymbol.diff; chain depth.

Run from the repository root (or anywhere): ``python bench/engine.py``.
Options: ``--repeat N`` (timed runs per figure, default 9), ``--timeout S``
(seconds allowed to one depth of the chain, default 60), ``--json`` (the
figures as JSON on stdout), ``--profile`` (cProfile of the deepest chain),
``--profile-problem NAME`` (only a cProfile of one problem, e.g. ``tr(AXB)``).
The targets of issue 3 are printed with each figure; docs/performance.md
("Engine") says how to read them.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import sympy as sp  # noqa: E402
from sympy import Identity, MatrixSymbol, Trace, det, log, symbols  # noqa: E402

from gen.derive.methods import derive  # noqa: E402
from gen.derive.steps import Derivation  # noqa: E402
from gen.expr.numpy_form import run_numpy  # noqa: E402
from gen.expr.to_text import to_text  # noqa: E402
from gen.program import Program, build_program  # noqa: E402
from gen.spec.load import load_spec_text  # noqa: E402
from gen.verify.numeric import program_forms, verify  # noqa: E402
from gen.verify.points import Point  # noqa: E402

TARGET_MS = 10.0  # median derive + verify per target
TARGET_SPEEDUP = 3.0  # against SymPy, where SymPy is right
TARGET_GROWTH = 10.0  # t(L=40) / t(L=5)
TARGET_VERSION_S = 0.3  # python -m gen --version
DEPTHS = (5, 10, 20, 40)
PROFILE_DEPTH = DEPTHS[-1]

m, n = symbols("m n", positive=True, integer=True)


# ----------------------------------------------------------------------------- problems


@dataclass
class Problem:
    """One target, written once for gradsheet (a spec) and once for SymPy (an expression)."""

    name: str
    spec: str  # variables/define lines; the target is 'J' (or 'y') by 'wrt'
    of: str
    wrt: str
    sympy: Callable[[], tuple[Any, Any]]  # () -> (expression, variable) for MatrixSymbol.diff


def _ms(name: str, rows: Any, cols: Any) -> Any:
    return MatrixSymbol(name, rows, cols)


def _least_squares() -> tuple[Any, Any]:
    X, w, y = _ms("X", m, n), _ms("w", n, 1), _ms("y", m, 1)
    r = X * w - y
    return r.T * r / 2, w


def _ridge(by: str) -> Callable[[], tuple[Any, Any]]:
    def build() -> tuple[Any, Any]:
        X, w, y, lam = _ms("X", m, n), _ms("w", n, 1), _ms("y", m, 1), sp.Symbol("lam")
        r = y - X * w
        return r.T * r / 2 + lam / 2 * w.T * w, {"w": w, "X": X}[by]

    return build


def _quadratic() -> tuple[Any, Any]:
    x, A = _ms("x", n, 1), _ms("A", n, n)
    return x.T * A * x, x


def _bilinear() -> tuple[Any, Any]:
    X, a, b = _ms("X", m, n), _ms("a", m, 1), _ms("b", n, 1)
    return a.T * X * b, X


def _bilinear_scalar() -> tuple[Any, Any]:
    X, a, b = _ms("X", m, n), _ms("a", m, 1), _ms("b", n, 1)
    return (a.T * X * b)[0, 0], X


def _trace_axb() -> tuple[Any, Any]:
    A, X, B = _ms("A", n, m), _ms("X", m, n), _ms("B", n, n)
    return Trace(A * X * B), X


def _trace_plus_one() -> tuple[Any, Any]:
    X = _ms("X", n, n)
    return Trace(X) + 1, X


def _logdet() -> tuple[Any, Any]:
    X = _ms("X", n, n)
    return log(det(X)), X


def _det() -> tuple[Any, Any]:
    X = _ms("X", n, n)
    return det(X), X


def _trace_inverse() -> tuple[Any, Any]:
    X, A = _ms("X", n, n), _ms("A", n, n)
    return Trace(A * X.inverse()), X


def _jacobian() -> tuple[Any, Any]:
    A, x = _ms("A", m, n), _ms("x", n, 1)
    return A * x, x


def _gaussian(by: str) -> Callable[[], tuple[Any, Any]]:
    def build() -> tuple[Any, Any]:
        S, x, mu = _ms("S", n, n), _ms("x", n, 1), _ms("mu", n, 1)
        d = x - mu
        return log(det(S)) / 2 * Identity(1) + d.T * S.inverse() * d / 2, {"mu": mu, "S": S}[by]

    return build


def _tanh_layer() -> tuple[Any, Any]:
    W, x = _ms("W", m, n), _ms("x", n, 1)
    h = (W * x).applyfunc(sp.tanh)
    return h.T * h / 2, W


PROBLEMS = [
    Problem(
        "least squares, by w",
        "  X: {shape: [m, n]}\n  w: {shape: [n]}\n  y: {shape: [m]}\n"
        "define:\n  r: X*w - y\n  J: 1/2*r'*r",
        "J",
        "w",
        _least_squares,
    ),
    Problem(
        "ridge, by w",
        "  X: {shape: [m, n]}\n  w: {shape: [n]}\n  y: {shape: [m]}\n  lam: {shape: []}\n"
        "define:\n  r: y - X*w\n  J: 1/2*r'*r + lam/2*w'*w",
        "J",
        "w",
        _ridge("w"),
    ),
    Problem(
        "ridge, by X",
        "  X: {shape: [m, n]}\n  w: {shape: [n]}\n  y: {shape: [m]}\n  lam: {shape: []}\n"
        "define:\n  r: y - X*w\n  J: 1/2*r'*r + lam/2*w'*w",
        "J",
        "X",
        _ridge("X"),
    ),
    Problem(
        "x'Ax, by x",
        "  x: {shape: [n]}\n  A: {shape: [n, n]}\ndefine:\n  J: x'*A*x",
        "J",
        "x",
        _quadratic,
    ),
    Problem(
        "a'Xb, by X",
        "  X: {shape: [m, n]}\n  a: {shape: [m]}\n  b: {shape: [n]}\ndefine:\n  J: a'*X*b",
        "J",
        "X",
        _bilinear,
    ),
    Problem(
        "a'Xb as a scalar, by X",
        "  X: {shape: [m, n]}\n  a: {shape: [m]}\n"  # [0, 0]
        "  b: {shape: [n]}\ndefine:\n  J: a'*X*b",
        "J",
        "X",
        _bilinear_scalar,
    ),
    Problem(
        "tr(AXB), by X",
        "  A: {shape: [n, m]}\n  X: {shape: [m, n]}\n  B: {shape: [n, n]}\ndefine:\n  J: tr(A*X*B)",
        "J",
        "X",
        _trace_axb,
    ),
    Problem(
        "tr(X) + 1, by X",
        "  X: {shape: [n, n]}\ndefine:\n  J: tr(X) + 1",
        "J",
        "X",
        _trace_plus_one,
    ),
    Problem(
        "logdet(X), by X",
        "  X: {shape: [n, n], props: [invertible]}\ndefine:\n  J: logdet(X)",
        "J",
        "X",
        _logdet,
    ),
    Problem(
        "det(X), by X",
        "  X: {shape: [n, n], props: [invertible]}\ndefine:\n  J: det(X)",
        "J",
        "X",
        _det,
    ),
    Problem(
        "tr(A inv(X)), by X",
        "  X: {shape: [n, n], props: [invertible]}\n"
        "  A: {shape: [n, n]}\ndefine:\n  J: tr(A*inv(X))",
        "J",
        "X",
        _trace_inverse,
    ),
    Problem(
        "Ax, by x (Jacobian)",
        "  A: {shape: [m, n]}\n  x: {shape: [n]}\ndefine:\n  y: A*x",
        "y",
        "x",
        _jacobian,
    ),
    Problem(
        "Gaussian NLL, by mu",
        "  S: {shape: [n, n], props: [positive-definite]}\n"
        "  x: {shape: [n]}\n  mu: {shape: [n]}\ndefine:\n  d: x - mu\n"
        "  J: 1/2*logdet(S) + 1/2*d'*inv(S)*d",
        "J",
        "mu",
        _gaussian("mu"),
    ),
    Problem(
        "Gaussian NLL, by S",
        "  S: {shape: [n, n], props: [positive-definite]}\n"
        "  x: {shape: [n]}\n  mu: {shape: [n]}\ndefine:\n  d: x - mu\n"
        "  J: 1/2*logdet(S) + 1/2*d'*inv(S)*d",
        "J",
        "S",
        _gaussian("S"),
    ),
    Problem(
        "tanh layer, by W",
        "  W: {shape: [m, n]}\n  x: {shape: [n]}\ndefine:\n  h: tanh(W*x)\n  J: 1/2*h'*h",
        "J",
        "W",
        _tanh_layer,
    ),
]


def program_for(variables: str, of: str, wrt: str, layout: str = "denominator") -> Program:
    """The spec of one target (denominator layout: SymPy's own, so answers compare as they are)."""
    text = (
        f"title: bench\nlayout: {layout}\nvariables:\n{variables}\n"
        f"derive:\n  - of: {of}\n    wrt: {wrt}\n"
    )
    return build_program(load_spec_text(text, "bench.yaml"))


# ----------------------------------------------------------------------------- timing

SLOW_S = 0.5  # a first run slower than this is the only sample taken


def clock() -> tuple[float, float]:
    """(CPU seconds of this process, wall seconds): CPU time is what the engine costs."""
    return time.process_time(), time.perf_counter()


def median_ms(run: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median (CPU, wall) milliseconds of ``run``, after one untimed warm-up call."""
    run()
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = clock()
        run()
        c1, w1 = clock()
        cpu.append((c1 - c0) * 1000)
        wall.append((w1 - w0) * 1000)
    return statistics.median(cpu), statistics.median(wall)


def ours(program: Program) -> Derivation:
    """Derive and verify the program's only target: what the benchmark times."""
    (target,) = program.targets
    return verify(program, derive(program, target, target.methods[0]))


def derive_and_verify(program: Program, repeat: int) -> dict[str, Any]:
    """Median CPU ms of derive, of verify and of both (each sample times one derive + verify).

    The first run is a sample too; when it is slower than SLOW_S it is the only one.
    """
    (target,) = program.targets
    samples: list[tuple[float, float, float]] = []
    d: Derivation | None = None
    while len(samples) < (1 if samples and samples[0][2] > SLOW_S * 1000 else repeat + 1):
        c0, w0 = clock()
        derived = derive(program, target, target.methods[0])
        c1, _ = clock()
        d = verify(program, derived)
        c2, w2 = clock()
        samples.append(((c1 - c0) * 1000, (c2 - c1) * 1000, (w2 - w0) * 1000))
    timed = samples[1:] or samples  # the first run warms up when there are others
    assert d is not None
    return {
        "derive_ms": statistics.median(x[0] for x in timed),
        "verify_ms": statistics.median(x[1] for x in timed),
        "total_ms": statistics.median(x[0] + x[1] for x in timed),
        "wall_ms": statistics.median(x[2] for x in timed),
        "samples": len(timed),
        "numeric": bool(d.check and d.check.numeric),
        "result": to_text(d.result),
    }


@dataclass
class Row:
    """The figures of one problem."""

    name: str
    ours: dict[str, Any]
    sympy_ms: float | None
    sympy_verdict: str

    @property
    def ratio(self) -> float | None:
        """SymPy's CPU time over ours (above 1: we are faster)."""
        return None if self.sympy_ms is None else self.sympy_ms / self.ours["total_ms"]


def sympy_numeric(expr: Any, values: dict[str, Any], sizes: dict[str, int]) -> np.ndarray:
    """SymPy's answer at concrete sizes and values, as a float array."""
    concrete = expr.subs({m: sizes["m"], n: sizes["n"]}) if expr.free_symbols else expr
    table: dict[Any, Any] = {}
    for s in concrete.atoms(MatrixSymbol):
        table[s] = sp.ImmutableMatrix(np.atleast_2d(np.asarray(values[s.name], dtype=float)))
    for s in concrete.free_symbols:
        if isinstance(s, sp.Symbol) and s.name in values:
            table[s] = sp.Float(float(values[s.name]))
    out = concrete.xreplace(table).doit()
    if hasattr(out, "as_explicit"):
        out = out.as_explicit()
    if isinstance(out, sp.NDimArray):  # a rank-4 array: its 1 x 1 axes dropped
        return np.array(out.tolist(), dtype=float).reshape(
            [k for k in out.shape if k != 1] or [1, 1]
        )
    return (
        np.array(sp.Matrix(out).evalf(), dtype=float)
        if isinstance(out, sp.MatrixBase)
        else np.array([[float(out)]])
    )


def judge_sympy(
    problem: Problem, program: Program, d: Derivation, repeat: int
) -> tuple[float | None, str]:
    """SymPy's median CPU ms and a verdict: right, WRONG, unevaluated, error."""
    try:
        expr, var = problem.sympy()
        answer = expr.diff(var)
    except Exception as exc:  # noqa: BLE001 - any failure of SymPy is a verdict
        return None, f"error: {type(exc).__name__}"
    ms = median_ms(lambda: expr.diff(var), repeat)[0]
    if answer.has(sp.Derivative):
        return ms, "unevaluated"
    array = not isinstance(answer, sp.MatrixExpr | sp.MatrixBase)
    sizes = {"m": 4, "n": 3}
    point = Point(program, dict(sizes), np.random.default_rng(1))
    want = np.atleast_2d(run_numpy(program_forms(program).of(d.result), point.bindings()))
    try:
        got = sympy_numeric(answer, point.values, sizes)
    except Exception as exc:  # noqa: BLE001
        return ms, f"not evaluable ({type(exc).__name__})"
    if got.shape != want.shape:
        return ms, f"WRONG (shape {got.shape} for {want.shape})"
    if not np.allclose(got, want, rtol=1e-8, atol=1e-10):
        zero = " = 0" if not np.any(got) else ""
        return ms, f"WRONG{zero}"
    if array:
        return ms, "right (as a rank-4 array)"
    return ms, "right"


def compare(repeat: int) -> list[Row]:
    """Every problem, ours and SymPy's, side by side."""
    rows = []
    for problem in PROBLEMS:
        program = program_for(problem.spec, problem.of, problem.wrt)
        figures = derive_and_verify(program, repeat)
        d = ours(program)
        sympy_ms, verdict = judge_sympy(problem, program, d, repeat)
        rows.append(Row(problem.name, figures, sympy_ms, verdict))
    return rows


# ----------------------------------------------------------------------------- chain depth


def chain_spec(depth: int) -> str:
    """An L-layer network: h_k = tanh(W_k h_{k-1}), J = 1/2 h_L' h_L (no targets)."""
    lines = ["  x: {shape: [n]}"] + [f"  W_{k}: {{shape: [n, n]}}" for k in range(1, depth + 1)]
    defs = ["  h_1: tanh(W_1*x)"] + [f"  h_{k}: tanh(W_{k}*h_{k - 1})" for k in range(2, depth + 1)]
    return "\n".join(lines) + "\ndefine:\n" + "\n".join(defs) + f"\n  J: 1/2*h_{depth}'*h_{depth}"


def chain_child(depth: int, wrt: str, repeat: int) -> dict[str, Any]:
    """derive + verify of dJ/d(wrt) at one depth (run in a child process by ``chain``)."""
    program = program_for(chain_spec(depth), "J", wrt, layout="mixed")
    figures = derive_and_verify(program, repeat)
    figures["result_chars"] = len(figures.pop("result"))
    return figures


def chain(repeat: int, timeout: float) -> list[dict[str, Any]]:
    """Each depth in a fresh process with a time limit; deeper ones skipped after a timeout."""
    out: list[dict[str, Any]] = [{"L": depth} for depth in DEPTHS]
    for wrt in ("W_1", "x"):
        for row in out:
            if any(r.get(wrt, {}).get("timeout") for r in out if r["L"] < row["L"]):
                row[wrt] = {"skipped": True}
                continue
            cmd = [
                sys.executable,
                str(Path(__file__).resolve()),
                "--chain-child",
                str(row["L"]),
                wrt,
                "--repeat",
                str(repeat),
            ]
            try:
                done = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=timeout, check=True
                )
                row[wrt] = json.loads(done.stdout)
            except subprocess.TimeoutExpired:
                row[wrt] = {"timeout": timeout}
    return out


def version_seconds(repeat: int) -> tuple[float, float]:
    """Median (CPU, wall) seconds of ``python -m gen --version`` in a fresh process."""
    cpu, wall = [], []
    for _ in range(max(5, repeat)):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "gen", "--version"], cwd=ROOT, check=True, capture_output=True
        )
        wall.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return statistics.median(cpu), statistics.median(wall)


# ----------------------------------------------------------------------------- report


def _mark(ok: bool) -> str:
    return "met" if ok else "MISSED"


def _chain_cell(fig: dict[str, Any]) -> str:
    if fig.get("skipped"):
        return f"{'not run (a shallower depth timed out)':>42}"
    if "timeout" in fig:
        return f"{'> ' + format(fig['timeout'], 'g') + ' s (timed out)':>42}"
    return (
        f"{fig['derive_ms']:10.1f} {fig['verify_ms']:8.1f} {fig['total_ms']:10.1f} "
        f"{fig['result_chars']:6d}{'' if fig['numeric'] else ' !'}"
    )


def report(rows: list[Row], depths: list[dict[str, Any]], version: tuple[float, float]) -> str:
    """The figures as plain-text tables, each target with its verdict."""
    out = io.StringIO()
    w = out.write
    w(
        f"gradsheet engine benchmark: python {sys.version.split()[0]}, sympy {sp.__version__}, "
        f"numpy {np.__version__}\nmedian CPU milliseconds (wall for ours in 'wall'); "
        "ratio = SymPy / ours\n\n"
    )
    w(
        f"{'problem':24} {'derive':>7} {'verify':>7} {'ours':>7} {'wall':>7} {'sympy':>7} "
        f"{'ratio':>6}  sympy's answer\n"
    )
    for r in rows:
        o = r.ours
        sym = f"{r.sympy_ms:7.2f}" if r.sympy_ms is not None else "      -"
        ratio = f"{r.ratio:6.1f}" if r.ratio is not None else "     -"
        flag = "" if o["numeric"] else "  (ours NOT verified)"
        w(
            f"{r.name:24} {o['derive_ms']:7.2f} {o['verify_ms']:7.2f} {o['total_ms']:7.2f} "
            f"{o['wall_ms']:7.2f} {sym} {ratio}  {r.sympy_verdict}{flag}\n"
        )
    med = statistics.median(r.ours["total_ms"] for r in rows)
    right = [r for r in rows if r.sympy_verdict.startswith("right")]
    ratios = [r.ratio for r in right if r.ratio is not None]
    med_ratio = statistics.median(ratios) if ratios else float("nan")
    lowest = min(ratios) if ratios else float("nan")
    w(
        f"\nmedian derive + verify per target: {med:.2f} ms CPU, "
        f"{statistics.median(r.ours['wall_ms'] for r in rows):.2f} ms wall "
        f"(target <= {TARGET_MS:g} ms: {_mark(med <= TARGET_MS)})\n"
    )
    w(
        f"SymPy right on {len(right)} of {len(rows)} problems; where right, SymPy / ours: median "
        f"{med_ratio:.1f}x, lowest {lowest:.1f}x (target >= {TARGET_SPEEDUP:g}x: "
        f"{_mark(med_ratio >= TARGET_SPEEDUP)} on the median; "
        f"{sum(r < TARGET_SPEEDUP for r in ratios)} of {len(ratios)} problems below it)\n"
    )
    w(f"all our results verified numerically: {all(r.ours['numeric'] for r in rows)}\n\n")
    w("chain: h_k = tanh(W_k h_(k-1)), J = 1/2 h_L' h_L, n = 3; CPU ms, result length in chars\n")
    head = f"{'derive':>10} {'verify':>8} {'total':>10} {'chars':>6}"
    w(f"{'L':>3}  by W_1: {head}   by x: {head}\n")
    for row in depths:
        w(f"{row['L']:>3}  {'':8}{_chain_cell(row['W_1'])}  {'':6}{_chain_cell(row['x'])}\n")
    for wrt in ("W_1", "x"):
        first, last = depths[0][wrt], depths[-1][wrt]
        name = f"t(L={DEPTHS[-1]}) / t(L={DEPTHS[0]})"
        if "total_ms" in first and "total_ms" in last:
            growth = last["total_ms"] / first["total_ms"]
            w(
                f"by {wrt}: {name} = {growth:.1f} (target <= {TARGET_GROWTH:g}: "
                f"{_mark(growth <= TARGET_GROWTH)})\n"
            )
        else:
            done = [r for r in depths if "total_ms" in r[wrt]]
            last_done = done[-1] if done else None
            seen = (
                f"; t(L={last_done['L']}) / t(L={DEPTHS[0]}) = "
                f"{last_done[wrt]['total_ms'] / first['total_ms']:.1f}"
                if last_done and len(done) > 1 and "total_ms" in first
                else ""
            )
            w(
                f"by {wrt}: {name} not measured, L={DEPTHS[-1]} did not finish in the time limit "
                f"(target <= {TARGET_GROWTH:g}: MISSED){seen}\n"
            )
    cpu, wall = version
    w(
        f"\npython -m gen --version: {wall:.3f} s wall, {cpu:.3f} s CPU "
        f"(target < {TARGET_VERSION_S:g} s: {_mark(wall < TARGET_VERSION_S)} on wall time, "
        f"{_mark(cpu < TARGET_VERSION_S)} on CPU time)\n"
    )
    return out.getvalue()


def profile_deepest() -> str:
    """cProfile of derive + verify of dJ/dW_1 along the chain: where the time goes."""
    program = program_for(chain_spec(PROFILE_DEPTH), "J", "W_1", layout="mixed")
    ours(program)
    prof = cProfile.Profile()
    prof.enable()
    ours(program)
    prof.disable()
    text = io.StringIO()
    pstats.Stats(prof, stream=text).sort_stats("cumulative").print_stats(30)
    return text.getvalue()


def profile_problem(name: str, rounds: int = 200) -> str:
    """cProfile of ``rounds`` derive + verify of the problem whose name starts with ``name``."""
    matches = [p for p in PROBLEMS if p.name.startswith(name)]
    if not matches:
        raise SystemExit(
            f"no problem named {name!r}; the problems: " + "; ".join(p.name for p in PROBLEMS)
        )
    problem = matches[0]
    program = program_for(problem.spec, problem.of, problem.wrt)
    ours(program)
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        ours(program)
    prof.disable()
    text = io.StringIO()
    text.write(f"{problem.name}: {rounds} rounds of derive + verify\n")
    pstats.Stats(prof, stream=text).sort_stats("tottime").print_stats(30)
    return text.getvalue()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the tables (or JSON)."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per figure")
    parser.add_argument(
        "--timeout",
        type=float,
        default=60.0,
        help="seconds allowed to one depth of the chain (default 60)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--profile",
        action="store_true",
        help=f"also profile derive + verify of the chain at L={PROFILE_DEPTH}",
    )
    parser.add_argument(
        "--profile-problem",
        metavar="NAME",
        help="only profile derive + verify of one problem (its name's start, "
        "e.g. 'tr(AXB)'), by internal time",
    )
    parser.add_argument("--chain-child", nargs=2, metavar=("L", "WRT"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.chain_child:
        print(
            json.dumps(
                chain_child(int(args.chain_child[0]), args.chain_child[1], max(3, args.repeat // 3))
            )
        )
        return 0
    if args.profile_problem:
        print(profile_problem(args.profile_problem))
        return 0
    rows = compare(args.repeat)
    depths = chain(args.repeat, args.timeout)
    version = version_seconds(args.repeat)
    if args.json:
        print(
            json.dumps(
                {
                    "problems": [
                        {
                            "name": r.name,
                            "ours": r.ours,
                            "sympy_ms": r.sympy_ms,
                            "sympy_verdict": r.sympy_verdict,
                            "ratio": r.ratio,
                        }
                        for r in rows
                    ],
                    "chain": depths,
                    "version": {"cpu_s": version[0], "wall_s": version[1]},
                },
                indent=2,
            )
        )
    else:
        print(report(rows, depths, version), end="")
    if args.profile:
        print(profile_deepest())
    return 0


if __name__ == "__main__":
    sys.exit(main())
