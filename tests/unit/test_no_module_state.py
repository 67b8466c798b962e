"""No module-level mutable state in gen/: results may not depend on what ran before.

The rule, read from each module's syntax tree:

- A module-level (or class-level) assignment may not bind a mutable container: a dict,
  list or set display or comprehension, or a call of ``dict``, ``list``, ``set``,
  ``defaultdict``, ``OrderedDict``, ``Counter``, ``deque``, ``bytearray``, ``ChainMap``.
  Tables are frozen instead: ``tuple``, ``frozenset``, ``types.MappingProxyType``. Being
  written in capitals does not exempt a dict: nothing stops code from mutating it.
  ``__all__`` is the one list allowed (Python's convention, read by tools only).
- No ``global`` statement.
- No ``functools.lru_cache`` / ``functools.cache`` on a function unless it is in
  ``PURE_CACHES``: a pure function of immutable arguments alone (a tree, a string, a
  size), whose cached answer is what a call would compute in any program. A cache of
  anything depending on a program (its shapes, its facts) must live in an object made
  for that program or derivation (e.g. ``gen.derive.simplify.Simplifier``).

Not caught (the limits of reading syntax): objects of other classes built at module level
(a ``threading.Event``, a ``re`` pattern), mutation through a function's default
argument. ``KNOWN`` lists the findings in modules other helpers own at the time of
writing; it may only shrink (a test fails on an entry that is no longer found).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEN = Path(__file__).resolve().parents[2] / "gen"

MUTABLE_CALLS = frozenset(
    {
        "dict",
        "list",
        "set",
        "defaultdict",
        "OrderedDict",
        "Counter",
        "deque",
        "bytearray",
        "ChainMap",
    }
)
MUTABLE_NODES = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)

PURE_CACHES = {
    # The names a tree uses: trees are immutable, and a name is a name in any program.
    "gen/expr/walk.py:names": "a function of an immutable tree alone",
    # The coefficient and dimension names of a size such as "2*m*n": a string or an int.
    "gen/expr/dims.py:dim_factors": "a function of a size (int or str) alone",
    # gradsheet's own files hashed once a process: the running code does not change.
    "gen/make/cache.py:code_hash": "a function of the installed code, fixed for a process",
    # compile() of a numpy form this tool wrote: a function of the string alone.
    "gen/expr/numpy_form.py:_compiled": "a function of a code string alone",
}

# Found in modules this change does not own; each should become a frozen table (or move
# into an object). Shrink this list as they are fixed.
KNOWN = frozenset(
    {
        "gen/cli/schema.py:_TEXT",
        "gen/expr/names.py:GREEK",
        "gen/expr/precedence.py:BINARY",
        "gen/expr/shape.py:VERBS",
        "gen/expr/to_numpy.py:_ELEMENTWISE_OPS",
        "gen/make/latexmk.py:ENGINES",
        "gen/make/latexmk.py:_LIVE",  # the TeX runs in progress (for kill_all): process state
        "gen/render/notes.py:TRACE_FORM",
        "gen/render/notes.py:GENERIC",
        "gen/render/sheet.py:_TEX_SPECIALS",
        "gen/render/sheet.py:_SCALAR_SHAPES",
        "gen/render/sheet.py:@_environment",  # a Jinja environment per templates folder
        "gen/render/style.py:TRANSPOSE_MARKS",
        "gen/spec/chars.py:_BIDI_NAMES",
        "gen/spec/style.py:_BOOLEANS",
    }
)

MODULES = sorted(GEN.rglob("*.py"))


def _callee(call: ast.Call) -> str | None:
    f = call.func
    if isinstance(f, ast.Name):
        return f.id
    return f.attr if isinstance(f, ast.Attribute) else None


def _mutable(value: ast.expr) -> bool:
    return isinstance(value, MUTABLE_NODES) or (
        isinstance(value, ast.Call) and _callee(value) in MUTABLE_CALLS
    )


def _state(body: list[ast.stmt], where: str) -> list[str]:
    """The names bound to mutable containers at this level (and in its classes, ifs, trys)."""
    out: list[str] = []
    for st in body:
        if (
            isinstance(st, ast.Assign | ast.AnnAssign)
            and st.value is not None
            and (_mutable(st.value))
        ):
            targets = st.targets if isinstance(st, ast.Assign) else [st.target]
            out += [where + ast.unparse(t) for t in targets if ast.unparse(t) != "__all__"]
        elif isinstance(st, ast.If | ast.Try):
            out += _state(st.body, where) + _state(st.orelse, where)
        elif isinstance(st, ast.ClassDef):
            out += _state(st.body, f"{where}{st.name}.")
    return out


def findings(path: Path) -> list[str]:
    """``path:NAME`` for each mutable binding, ``path:@func`` for each cache, ``path:global``."""
    return findings_in(path.read_text(), path.relative_to(GEN.parent).as_posix())


def findings_in(source: str, rel: str) -> list[str]:
    """The findings of one module's source, ``rel`` its path from the repository."""
    tree = ast.parse(source)
    out = [f"{rel}:{name}" for name in _state(tree.body, "")]
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            out.append(f"{rel}:global")
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for d in node.decorator_list:
                target = d.func if isinstance(d, ast.Call) else d
                name = (
                    target.id
                    if isinstance(target, ast.Name)
                    else (target.attr if isinstance(target, ast.Attribute) else "")
                )
                if name in ("lru_cache", "cache") and f"{rel}:{node.name}" not in PURE_CACHES:
                    out.append(f"{rel}:@{node.name}")
    return out


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GEN)))
def test_no_module_level_mutable_state(path: Path) -> None:
    found = [f for f in findings(path) if f not in KNOWN]
    assert not found, f"module-level mutable state (see this test's docstring): {found}"


def test_the_known_list_only_shrinks() -> None:
    """Every KNOWN entry is still found: a fixed one must leave the list."""
    everything = {f for path in MODULES for f in findings(path)}
    assert not (KNOWN - everything), sorted(KNOWN - everything)


def test_every_pure_cache_exists() -> None:
    """The allowed caches name functions that are there and cached."""
    for entry in PURE_CACHES:
        rel, func = entry.split(":")
        tree = ast.parse((GEN.parent / rel).read_text())
        decorated = [
            n
            for n in ast.walk(tree)
            if isinstance(n, ast.FunctionDef) and n.name == func and n.decorator_list
        ]
        assert decorated, entry


def test_the_rule_catches_what_it_says() -> None:
    """The reader flags a dict table, a list holding state and a program-dependent cache,
    and passes frozen tables."""
    source = """
import functools
from types import MappingProxyType
TABLE = {"a": 1}
_FACTS = [None]
FROZEN = MappingProxyType({"a": 1})
NAMES = frozenset({"a"})
PAIRS = (("a", 1),)
class C:
    memo: dict = {}
@functools.lru_cache(maxsize=8)
def shapes_of(program): ...
def f():
    global TABLE
"""
    tree = ast.parse(source)
    assert _state(tree.body, "") == ["TABLE", "_FACTS", "C.memo"]
    assert findings_in(source, "gen/probe.py") == [
        "gen/probe.py:TABLE",
        "gen/probe.py:_FACTS",
        "gen/probe.py:C.memo",
        "gen/probe.py:@shapes_of",
        "gen/probe.py:global",
    ]
