"""The one tree walker: nodes once each, the names used, mentions."""

from gen.expr.ast import Binary, Name
from gen.expr.parser import parse
from gen.expr.walk import mentions, names, nodes


def test_names_are_the_identifiers_of_the_tree():
    tree = parse("X'*(X*w - y) + lam*w")
    assert names(tree) == {"X", "w", "y", "lam"}


def test_function_names_are_not_names():
    assert names(parse("exp(x) .* sigmoid(x) + tr(A)")) == {"x", "A"}


def test_mentions_a_name_or_any_of_several():
    tree = parse("A*x + b")
    assert mentions(tree, "x") and not mentions(tree, "y")
    assert mentions(tree, {"y", "b"}) and not mentions(tree, ["y", "z"])


def test_nodes_visits_parents_first_and_shared_subtrees_once():
    tree = parse("x'*x")
    kinds = [type(n).__name__ for n in nodes(tree)]
    assert kinds[0] == "Binary"
    a = Name("a")
    shared = Binary("+", a, a)  # derived trees share subtrees by identity
    assert list(nodes(shared)) == [shared, a]
    assert len(list(nodes(parse("a + a")))) == 3  # two equal but distinct leaves
