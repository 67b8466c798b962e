"""Guards around the calculus: bounded sizes, a time limit, and no exception left unnamed."""

from __future__ import annotations

import contextlib
import signal
import threading
import traceback
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

from gen.errors import GenError, GenErrors, InternalError, Span, TimeLimit
from gen.expr.ast import Name, Node, children
from gen.program import Program

T = TypeVar("T")
MAX_INLINED = 5_000  # nodes of a definition once every name in it is written out


def _size(node: Node, sizes: dict[str, int]) -> int:
    total, stack = 0, [node]
    while stack:
        item = stack.pop()
        total += sizes.get(item.id, 1) if isinstance(item, Name) else 1
        stack.extend(children(item))
    return total


def inlined_size_error(program: Program) -> GenError | None:
    """An error at the first definition that grows past ``MAX_INLINED`` nodes when inlined.

    The results are written in the variables alone, so ``a2: a1*a1`` after
    ``a1: a0*a0`` doubles at each step: thirty such lines would never finish.
    """
    sizes: dict[str, int] = {}
    for sym in program.definitions:
        if sym.expr is None:
            continue
        size = _size(sym.expr, sizes)
        if size > MAX_INLINED:
            span = sym.definition.span if sym.definition else None
            return GenError(
                f"'{sym.name}' grows to more than {MAX_INLINED} terms once the definitions it "
                "uses are written out; the results would be too large to derive and print",
                span)
        sizes[sym.name] = size
    return None


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``TimeLimit`` in the block after ``seconds`` (main thread only; else no limit)."""
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum: int, frame: object) -> None:
        raise TimeLimit

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_within(render: Callable[[], T], seconds: float | None, folder: Path) -> T:
    """Run ``render`` (a template render) under the time limit ``seconds``.

    Raises:
        GenError: The time ran out (located at the template folder).
    """
    try:
        with time_limit(seconds):
            return render()
    except TimeLimit:
        raise GenError(f"gave up rendering the templates of {folder} after {seconds:g} s "
                       "(see --timeout)", Span(str(folder))) from None


def guarded(work: Callable[[], T], span: Span | None, what: str,
            seconds: float | None = None) -> tuple[T | None, list[GenError]]:
    """Run ``work``; any failure comes back as located errors instead of an exception.

    Args:
        work: The stage to run.
        span: Where its errors stand when they carry no place of their own.
        what: What the stage does, for messages (``deriving dJ/dw``).
        seconds: A time limit (main thread only).

    Returns:
        ``(value, [])`` on success, else ``(None, errors)``. A bug of
        gradsheet comes back as an ``InternalError`` with its traceback.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with time_limit(seconds):
                return work(), []
    except GenErrors as errs:
        return None, list(errs.errors)
    except GenError as err:
        return None, [err if err.span is not None else GenError(err.message, span)]
    except TimeLimit:
        return None, [GenError(f"gave up {what} after {seconds:g} s (see --timeout)", span)]
    except RecursionError:
        return None, [GenError(f"{what}: the expressions are nested too deeply", span)]
    except MemoryError:
        return None, [GenError(f"{what}: out of memory", span)]
    except OverflowError:
        return None, [GenError(f"{what}: a number is too large", span)]
    except NotImplementedError as exc:
        detail = f": {exc}" if str(exc) else ""
        return None, [GenError(f"{what}: not supported yet{detail}", span)]
    except Exception as exc:  # noqa: BLE001 - a bug must not end the other specs' builds
        bug = InternalError(
            f"internal error while {what}: {type(exc).__name__}: {exc} (a bug in gradsheet; "
            "please report it with the spec)", span)
        bug.detail = "".join(traceback.format_exception(exc))
        return None, [bug]
