"""What became of a spec: the Status enum prints and serialises as today's words."""

from __future__ import annotations

import json

from gen.errors import GenError
from gen.make.options import Outcome, Status


def test_status_values_are_the_printed_words():
    assert [s.value for s in Status] == ["checked", "built", "up to date", "no TeX", "failed"]
    assert str(Status.CURRENT) == f"{Status.CURRENT}" == "up to date"
    assert json.dumps([Status.NO_TEX]) == '["no TeX"]'
    assert Status("built") is Status.BUILT


def test_an_outcome_starts_checked_and_fail_marks_it_failed():
    outcome = Outcome("s.yaml", "s", True, results={"ok": True, "errors": []})
    assert outcome.status is Status.CHECKED
    outcome.fail(GenError("bad"))
    assert outcome.status is Status.FAILED and not outcome.ok
    assert outcome.results["ok"] is False and len(outcome.results["errors"]) == 1
