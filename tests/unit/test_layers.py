"""The rooms of DESIGN.md: a lower room never imports a higher one."""

import ast
from pathlib import Path

import pytest

GEN = Path(__file__).resolve().parents[2] / "gen"
ORDER = ["errors", "expr", "spec", "program", "derive", "verify", "render", "build", "cli"]


def room(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "gen" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ORDER else None


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return out


MODULES = sorted(p for p in GEN.rglob("*.py") if room("gen." + p.relative_to(GEN).parts[0]
                                                  .removesuffix(".py")))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GEN)))
def test_no_module_imports_a_higher_room(path):
    own = room("gen." + path.relative_to(GEN).parts[0].removesuffix(".py"))
    assert own is not None
    for module in imports(path):
        other = room(module)
        if other is not None:
            assert ORDER.index(other) <= ORDER.index(own), f"{path.name} imports {module}"


def test_sympy_only_in_the_bridge():
    for path in GEN.rglob("*.py"):
        if path.name != "bridge.py":
            assert not any(m.split(".")[0] == "sympy" for m in imports(path)), path


def test_only_build_runs_processes_and_only_cli_prints():
    for path in GEN.rglob("*.py"):
        text = path.read_text()
        rel = path.relative_to(GEN)
        if rel.parts[0] != "build":
            assert "subprocess" not in imports(path), rel
        if rel.name != "cli.py":
            assert "print(" not in text, rel
