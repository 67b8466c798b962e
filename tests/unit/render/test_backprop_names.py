"""The names a pulled-back derivation declares, as the sheet, the JSON and the view print them."""

from gen.expr.to_latex import strip_breaks
from gen.make.pipeline import derive_all
from gen.program import build_program
from gen.render.results import derivation_json
from gen.render.view import sheet_context
from gen.spec.load import load_spec_text

NORM = """\
title: Batch normalisation
variables:
  X: {shape: [N, D]}
  gamma: {shape: [D]}
  epsilon: {shape: [], props: [constant, positive]}
  G: {shape: [N, D], props: [constant]}
define:
  mu: mean(X, 1)
  X_c: X - mu
  v: mean(X_c .* X_c, 1)
  X_hat: X_c ./ sqrt(v + epsilon)
  Y: gamma' .* X_hat
  L: sum(G .* Y)
derive:
  - of: L
    wrt: X
"""


def test_a_name_is_typeset_from_its_node_and_listed_under_the_steps() -> None:
    program = build_program(load_spec_text(NORM, "bn.yaml"))
    (d,) = derive_all(program)
    assert [n for n, _ in d.names][0] == "G_X_hat"  # dX_hat pulled back along two paths
    (view,) = sheet_context(program, [d])["derivations"]
    names = view["names"]
    assert names[0]["name"] == r"G_{\hat{X}}"  # not \hat{G}_{X}
    assert names[0]["latex"] == r"G \odot \gamma^{\top}"
    assert r"G_{\hat{X}}" in " ".join(s["rhs"] for s in view["steps"])
    assert r"G_{X_{c}}" in view["result"]
    out = derivation_json(program, d)
    assert [n["name_latex"] for n in out["names"]][:1] == [r"G_{\hat{X}}"]
    assert out["result"]["latex"] == strip_breaks(view["result"])
