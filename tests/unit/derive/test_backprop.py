"""Backpropagation in the differential method: dL = tr(G_S' dS) pulled back link by link."""

import dataclasses

import numpy as np
import pytest

from gen.derive import algebra as al
from gen.derive.steps import Claim, Derivation, Differential, Partial
from gen.expr.ast import Binary
from gen.expr.numpy_form import run_numpy
from gen.expr.to_text import to_text
from gen.expr.walk import names
from gen.make.pipeline import derive_all
from gen.program import Program, build_program
from gen.render.results import derivation_json
from gen.spec.load import load_spec_text
from gen.verify.numeric import agree, verify
from gen.verify.points import Point, sample_sizes

NETWORK = """\
title: Two-layer network
layout: mixed
variables:
  X: {shape: [N, D], props: [constant]}
  W1: {shape: [D, H]}
  b1: {shape: [H]}
  W2: {shape: [H, C]}
  b2: {shape: [C]}
  Y: {shape: [N, C], props: [constant]}
define:
  A: relu(X*W1 + b1')
  S: A*W2 + b2'
  L: (sum(logsumexp(S, 2)) - sum(Y .* S))/N
derive:
  - of: L
    wrt: W1
    method: [chain, differential]
  - of: L
    wrt: b1
    method: differential
"""

DEEP = """\
title: Three layers
layout: mixed
variables:
  X: {shape: [N, D], props: [constant]}
  W1: {shape: [D, H]}
  W2: {shape: [H, H]}
  W3: {shape: [H, K]}
  T: {shape: [N, K], props: [constant]}
define:
  H1: tanh(X*W1)
  H2: tanh(H1*W2)
  E: H2*W3 - T
  L: 1/2*sum(E .* E)
derive:
  - of: L
    wrt: W1
    method: [differential, chain]
"""


def derived(text: str) -> tuple[Program, list[Derivation]]:
    program = build_program(load_spec_text(text, "net.yaml"))
    return program, derive_all(program)


def by_differentials(ds: list[Derivation], wrt: str) -> Derivation:
    (d,) = [d for d in ds if d.wrt == wrt and d.method.value == "differential"]
    return d


def test_the_first_layer_reads_x_transposed_delta_with_its_names_declared() -> None:
    program, ds = derived(NETWORK)
    d = by_differentials(ds, "W1")
    assert d.written is not None and to_text(d.written) == "X'*delta"
    assert [(n, to_text(e)) for n, e in d.names] == [
        ("G_S", "(softmax(S, 2) - Y)/N"),
        ("delta", "G_S*W2'.*step(X*W1 + b1')"),  # G_S reused in the next definition
    ]
    lines = [to_text(s.rhs) for s in d.steps if isinstance(s.lhs, Differential) and s.of == "L"]
    assert "tr(G_S'*dS)" in lines  # dL = <G_S, dS>
    assert "tr((G_S*W2')'*dA)" in lines  # = <G_S W2', dA>: G_S reused
    assert "tr((X'*delta)'*dW1)" in lines  # = <X' delta, dW1>
    read = [s for s in d.steps if isinstance(s.lhs, Partial)]
    assert [to_text(s.rhs) for s in read] == ["X'*delta"]
    # The steps of the pull-back claim the differential of L in the direction dW1.
    pulled = [s for s in d.steps if s.notes and s.notes[0].key in ("pull_back", "by_inputs")]
    assert len(pulled) == 3
    assert all(s.equals is Claim.DIFFERENTIAL and s.of == "L" for s in pulled)
    # The result itself is kept in the program's names for the checks: no G_S, no delta.
    assert {"G_S", "delta"}.isdisjoint(to_text(d.result).replace("(", " ").split())


@pytest.mark.parametrize("wrt", ["W1", "b1"])
def test_every_pulled_back_line_is_verified(wrt: str) -> None:
    program, ds = derived(NETWORK)
    d = verify(program, by_differentials(ds, wrt))
    assert d.check is not None and d.check.numeric
    assert all(s.verified for s in d.steps if s.check is not None)
    assert any(s.notes[0].key == "pull_back" for s in d.steps)


def test_a_wrong_delta_is_caught() -> None:
    program, ds = derived(NETWORK)
    d = by_differentials(ds, "W1")
    (i,) = [k for k, s in enumerate(d.steps) if s.notes and s.notes[0].key == "delta"]
    step = d.steps[i]
    assert step.check is not None
    # delta without the ReLU's mask (G_S W2' alone), written out in the check form.
    (g_s, g_def), (_, delta_def) = d.names
    written = {g_s: g_def}
    right = al.substitute(delta_def, written)
    assert isinstance(delta_def, Binary) and delta_def.op == ".*"
    wrong = al.substitute(delta_def.left, written)
    corrupt = al.replace_subtrees(step.check, {right: wrong})
    assert corrupt != step.check
    wrong_steps = list(d.steps)
    wrong_steps[i] = dataclasses.replace(step, check=corrupt)
    bad = verify(program, dataclasses.replace(d, steps=tuple(wrong_steps)))
    assert bad.check is not None and not bad.check.numeric
    assert bad.steps[i].verified is False
    assert all(s.verified for k, s in enumerate(bad.steps) if k != i and s.check is not None)


def test_chain_and_differentials_agree() -> None:
    program, ds = derived(NETWORK)
    pair = [d for d in ds if d.wrt == "W1"]
    marked = agree(program, [verify(program, d) for d in pair])
    assert {d.method.value for d in marked} == {"chain", "differential"}
    assert all(d.agreement is not None and d.agreement.ok for d in marked)


@pytest.mark.parametrize("spec", [NETWORK, DEEP], ids=["two-layers", "three-layers"])
def test_the_chain_method_writes_its_result_in_the_same_names(spec: str) -> None:
    """By the chain rule too, the books' X' delta with delta declared under the steps (one
    namer: backprop.py's), on a line of its own checked with the names written out, then
    the substituted form where it is short."""
    program, ds = derived(spec)
    chain, differential = (
        verify(program, next(d for d in ds if d.wrt == "W1" and d.method.value == m))
        for m in ("chain", "differential")
    )
    assert chain.names == differential.names and chain.names
    assert chain.written is not None and chain.written == differential.written
    assert chain.check is not None and chain.check.numeric
    assert all(s.verified for s in chain.steps)
    (named,) = [s for s in chain.steps if s.notes[0].key == "named_gradients"]
    assert named.rhs == chain.written and isinstance(named.lhs, Partial)
    assert named.notes[0].names == tuple(n for n, _ in chain.names)
    assert named.check is not None and not {n for n, _ in chain.names} & names(named.check)
    short = [s for s in chain.steps if s.notes[0].key == "names_written"]
    if spec == NETWORK:  # X'((softmax(S) - Y) W2' .* step(...))/N is short: shown too
        assert [s.rhs for s in short] == [chain.result]
    # the long substituted line of the three layers is not printed twice
    assert chain.steps.index(named) >= len(chain.steps) - 2


def test_three_layers_number_the_deltas_from_the_bottom() -> None:
    program, ds = derived(DEEP)
    d = verify(program, by_differentials(ds, "W1"))
    assert d.check is not None and d.check.numeric
    assert all(s.verified for s in d.steps if s.check is not None)
    assert d.written is not None and to_text(d.written) == "X'*delta1"
    assert [(n, to_text(e)) for n, e in d.names] == [
        ("delta2", "E*W3'.*(1 - H2.^2)"),
        ("delta1", "delta2*W2'.*(1 - H1.^2)"),
    ]
    assert "tr((delta2*W2')'*dH1)" in [to_text(s.rhs) for s in d.steps]
    marked = agree(program, [verify(program, x) for x in ds])
    assert all(x.agreement is not None and x.agreement.ok for x in marked)


def test_the_json_result_parses_back_with_the_names_and_its_numpy_stands_alone() -> None:
    program, ds = derived(NETWORK)
    d = verify(program, by_differentials(ds, "W1"))
    out = derivation_json(program, d)
    assert out["result"]["text"] == "X'*delta"
    assert [n["name"] for n in out["names"]] == ["G_S", "delta"]
    assert out["names"][1]["latex"].startswith(r"(G_{S} W_{2}^{\top}) \odot")
    # The result's text parses with the derivation's names appended as definitions.
    appended = NETWORK.split("derive:")[0] + "".join(
        f"  {n['name']}: {n['text']}\n" for n in out["names"]
    )
    extended = build_program(
        load_spec_text(appended + "  R: " + out["result"]["text"] + "\n", "names.yaml")
    )
    assert extended.symbols["R"].shape == program.symbols["W1"].shape
    # result.numpy and each name's numpy use np and the variables alone.
    point = Point(program, sample_sizes(program.dims), np.random.default_rng(3))
    env = {**point.sizes, **point.bindings()}
    got = run_numpy(out["result"]["numpy"], env)
    s = run_numpy(out["names"][0]["numpy"], env)
    delta = run_numpy(out["names"][1]["numpy"], env)
    assert np.allclose(got, env["X"].T @ delta)
    assert s.shape == env["Y"].shape


LEAST_SQUARES = """\
title: Least squares
variables:
  X: {shape: [m, n], props: [constant]}
  w: {shape: [n]}
  y: {shape: [m], props: [constant]}
define:
  z: X*w - y
  J: 1/2 * z'*z
derive:
  - of: J
    wrt: w
"""


def test_a_short_chain_is_substituted_at_once_as_before() -> None:
    _, ds = derived(LEAST_SQUARES)
    (d,) = ds
    assert d.names == () and d.written is None
    keys = [n.key for s in d.steps for n in s.notes]
    assert "substitute" in keys and "trace_form" in keys and "pull_back" not in keys


KL = """\
title: KL
variables:
  mu: {shape: [J]}
define:
  KL: 1/2*sum(mu.^2)
derive:
  - of: KL
    wrt: mu
    method: chain
"""


def test_a_chain_of_one_link_writes_its_derivative_once() -> None:
    _, ds = derived(KL)
    (d,) = ds
    assert [n.key for s in d.steps for n in s.notes] == ["local_gradient"]
    assert to_text(d.result) == "mu"


RNN = """\
title: Tanh RNN, two steps
variables:
  W: {shape: [h, h]}
  U: {shape: [h, d]}
  b: {shape: [h]}
  h0: {shape: [h], props: [constant]}
  x1: {shape: [d], props: [constant]}
  x2: {shape: [d], props: [constant]}
  g: {shape: [h], props: [constant]}
define:
  h1: tanh(W*h0 + U*x1 + b)
  h2: tanh(W*h1 + U*x2 + b)
  L: g'*h2
derive:
  - of: L
    wrt: W
"""


def test_backpropagation_through_time_sums_one_delta_per_step() -> None:
    # Goodfellow et al. 10.2.2, eq. 10.28: the shared weights get delta_t h_(t-1)' summed.
    program, ds = derived(RNN)
    (d,) = ds
    checked = verify(program, d)
    assert checked.check is not None and checked.check.numeric
    assert all(s.verified for s in checked.steps if s.check is not None)
    assert d.written is not None and to_text(d.written) == "delta2*h1' + delta1*h0'"
    assert [(n, to_text(e)) for n, e in d.names] == [
        ("delta2", "g.*(1 - h2.^2)"),
        ("delta1", "W'*delta2.*(1 - h1.^2)"),  # delta2 reused one step down
    ]
    assert "tr((delta2*h1')'*dW) + (W'*delta2)'*dh1" in [to_text(s.rhs) for s in d.steps]
