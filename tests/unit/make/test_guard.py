"""Guards around the calculus: every failure becomes a located error, sizes and time bounded."""

from __future__ import annotations

import time

import pytest

from gen.errors import GenError, GenErrors, InternalError, Span
from gen.make import guard
from gen.make.guard import guarded, inlined_size_error
from gen.program import build_program
from gen.spec.load import load_spec_text

AT = Span("s.yaml", 3, 5)


def _raise(exc: BaseException):
    def work():
        raise exc
    return work


def test_a_value_comes_back():
    assert guarded(lambda: 42, AT, "adding") == (42, [])


def test_located_errors_come_back_as_they_are():
    err = GenError("bad", Span("s.yaml", 7, 1))
    assert guarded(_raise(err), AT, "x") == (None, [err])
    assert guarded(_raise(GenErrors([err, err])), AT, "x") == (None, [err, err])


def test_an_unlocated_error_takes_the_stage_span():
    value, [err] = guarded(_raise(GenError("bad")), AT, "x")
    assert value is None and err.message == "bad" and err.span == AT


@pytest.mark.parametrize(("exc", "message"), [
    (NotImplementedError("a variable exponent"), "deriving dJ/dx: not supported yet: "
     "a variable exponent"),
    (NotImplementedError(), "deriving dJ/dx: not supported yet"),
    (RecursionError(), "deriving dJ/dx: the expressions are nested too deeply"),
    (MemoryError(), "deriving dJ/dx: out of memory"),
    (OverflowError(34, "Numerical result out of range"), "deriving dJ/dx: a number is too large"),
])
def test_known_failures_are_named(exc, message):
    value, [err] = guarded(_raise(exc), AT, "deriving dJ/dx")
    assert (value, err.message, err.span) == (None, message, AT)
    assert not isinstance(err, InternalError)


def test_a_bug_is_an_internal_error_with_its_traceback():
    value, [err] = guarded(_raise(ZeroDivisionError("division by zero")), AT, "deriving dJ/dx")
    assert value is None and isinstance(err, InternalError) and err.span == AT
    assert err.message == ("internal error while deriving dJ/dx: ZeroDivisionError: division "
                           "by zero (a bug in gradsheet; please report it with the spec)")
    assert "Traceback" in err.detail and "ZeroDivisionError" in err.detail


def test_numpy_style_warnings_are_silenced(recwarn):
    import warnings

    def noisy():
        warnings.warn("overflow encountered in power", RuntimeWarning, stacklevel=1)
        return 1
    assert guarded(noisy, AT, "x") == (1, [])
    assert len(recwarn) == 0


def test_the_time_limit_stops_a_runaway_stage():
    def forever():
        while True:
            time.sleep(0.01)
    value, [err] = guarded(forever, AT, "deriving dJ/dx", seconds=0.2)
    assert value is None
    assert err.message == "gave up deriving dJ/dx after 0.2 s (see --timeout)"


def test_the_time_limit_is_not_caught_by_an_except_exception():
    def stubborn():
        while True:
            try:
                time.sleep(0.01)
            except Exception:  # noqa: BLE001 - what careless code does
                pass
    _, [err] = guarded(stubborn, AT, "x", seconds=0.2)
    assert err.message.startswith("gave up x after")


def _program(defs: str):
    text = f"title: T\nvariables:\n  x: {{shape: [n]}}\n  s: {{}}\ndefine:\n{defs}"
    return build_program(load_spec_text(text, "s.yaml"))


def test_definitions_that_double_at_each_step_are_refused_where_they_pass_the_limit(monkeypatch):
    monkeypatch.setattr(guard, "MAX_INLINED", 100)
    defs = "  a0: x'*x\n" + "".join(f"  a{i}: a{i - 1}*a{i - 1} + s\n" for i in range(1, 8))
    err = inlined_size_error(_program(defs))
    assert err is not None and err.span is not None
    assert (err.span.line, err.span.column) == (10, 3)  # a4 grows to 109 nodes
    assert err.message == ("'a4' grows to more than 100 terms once the definitions it uses are "
                           "written out; the results would be too large to derive and print")


def test_a_long_chain_that_grows_linearly_is_fine():
    defs = "  a0: x'*x\n" + "".join(f"  a{i}: a{i - 1} + s\n" for i in range(1, 200))
    assert inlined_size_error(_program(defs)) is None
