"""The ``assume`` key: entrywise comparisons ``left op right`` the checks sample under."""

from __future__ import annotations

import dataclasses

import yaml

from gen.errors import Where
from gen.spec.model import Assumption, Text
from gen.spec.yamlnodes import Reader

OPERATORS = ("<=", ">=", "<", ">")
_RULE = "an assumption compares two expressions with <, <=, > or >=, e.g. b - A*x > 0"


def read_assumptions(reader: Reader, node: yaml.Node) -> tuple[Assumption, ...]:
    """The entries of ``assume``: a list of strings, each with one top-level comparison."""
    if reader.skip(node) or reader.is_null(node):
        return ()
    if not isinstance(node, yaml.SequenceNode):
        reader.wrong(node, "assume", "a list of comparisons such as 'b - A*x > 0'")
        return ()
    out = []
    for entry in node.value:
        text = reader.text(entry, "assume")
        if text is None:
            if reader.is_null(entry):
                reader.wrong(entry, "assume", "a comparison")
            continue
        made = split_comparison(reader, text)
        if made is not None:
            out.append(made)
    return tuple(out)


def split_comparison(reader: Reader, text: Text) -> Assumption | None:
    """``text`` cut at its one comparison outside parentheses; errors go to ``reader``."""
    found = _comparisons(text.value)
    if not found:
        reader.src.error(f"'{text.value}': {_RULE}", text.span)
        return None
    if len(found) > 1:
        at, op = found[1]
        message = f"'{text.value}': one comparison per assumption; write each as its own entry"
        reader.src.error(message, text.where.span(at, at + len(op)))
        return None
    at, op = found[0]
    left = _side(text, 0, at)
    right = _side(text, at + len(op), len(text.value))
    for side, where in ((left, at), (right, at + len(op))):
        if not side.value:
            reader.src.error(f"'{text.value}': a side of '{op}' is empty", text.where.span(where))
            return None
    return Assumption(text, left, op, right)


def _comparisons(value: str) -> list[tuple[int, str]]:
    """The comparison operators outside parentheses, with their offsets."""
    out, depth, i = [], 0, 0
    while i < len(value):
        c = value[i]
        depth += {"(": 1, ")": -1}.get(c, 0)
        op = next((o for o in OPERATORS if value.startswith(o, i)), None)
        if op is not None and depth == 0:
            out.append((i, op))
            i += len(op)
            continue
        i += 1
    return out


def _side(text: Text, start: int, end: int) -> Text:
    """Characters ``start:end`` of ``text``, stripped, with where they stand."""
    raw = text.value[start:end]
    lead = len(raw) - len(raw.lstrip())
    where: Where = text.where
    if where.exact and where.column is not None:
        where = dataclasses.replace(where, column=where.column + start + lead)
    return Text(raw.strip(), where)
