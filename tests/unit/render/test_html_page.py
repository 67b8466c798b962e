"""The web page of a spec whose math holds < and > (where's comparisons): escaped once."""

from __future__ import annotations

from gen.make.pipeline import derive_all
from gen.program import build_program
from gen.render.html import render_html
from gen.render.sheet import sandbox
from gen.render.view import sheet_context
from gen.spec.load import load_spec_text

HUBER = """\
title: Huber
variables:
  r: {shape: [n]}
  delta: {shape: [], props: [constant, positive]}
define:
  h: where(abs(r) <= delta, r.^2/2, delta*(abs(r) - delta/2))
  L: sum(h)
derive:
  - {of: L, wrt: r, method: [chain, differential]}
"""


def test_a_comparison_in_a_step_is_escaped_once_on_the_web_page():
    program = build_program(load_spec_text(HUBER, "huber.yaml"))
    page = render_html(sheet_context(program, derive_all(program)))
    assert "<mo>&gt;</mo>" in page and "<mo>≤</mo>" in page
    assert "&amp;gt;" not in page and "&amp;lt;" not in page


def test_joining_markup_under_autoescape_keeps_it_markup(tmp_path):
    """``a ~ b`` of a macro's output: escaped once, as Jinja's own ``~`` does."""
    (tmp_path / "t.j2").write_text(
        "<% macro m(x) %><%= x %><% endmacro %><%= m(a) ~ ' = ' ~ m(b) %>", encoding="utf-8"
    )
    env = sandbox(str(tmp_path), autoescape=True)
    assert env.get_template("t.j2").render(a="x > 0", b="<y>") == "x &gt; 0 = &lt;y&gt;"
    plain = sandbox(str(tmp_path), autoescape=False)
    assert plain.get_template("t.j2").render(a="x > 0", b="<y>") == "x > 0 = <y>"
