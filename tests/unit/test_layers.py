"""The rooms of DESIGN.md: a lower room never imports a higher one."""

import ast
from pathlib import Path

import pytest

GEN = Path(__file__).resolve().parents[2] / "gen"
ORDER = ["errors", "expr", "spec", "program", "derive", "verify", "render", "make", "api", "cli"]


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


MODULES = sorted(
    p for p in GEN.rglob("*.py") if room("gen." + p.relative_to(GEN).parts[0].removesuffix(".py"))
)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(GEN)))
def test_no_module_imports_a_higher_room(path):
    own = room("gen." + path.relative_to(GEN).parts[0].removesuffix(".py"))
    assert own is not None
    for module in imports(path):
        other = room(module)
        if other is not None:
            assert ORDER.index(other) <= ORDER.index(own), f"{path.name} imports {module}"


SYMPY_MODULES = {Path("verify/exact.py"), Path("verify/sympy_interp.py")}


def test_sympy_only_in_the_exact_check():
    """Only the exact check's two modules import SymPy (and both do)."""
    for path in GEN.rglob("*.py"):
        uses = any(m.split(".")[0] == "sympy" for m in imports(path))
        assert uses == (path.relative_to(GEN) in SYMPY_MODULES), path


def test_only_make_runs_processes_and_only_cli_prints():
    for path in GEN.rglob("*.py"):
        text = path.read_text()
        rel = path.relative_to(GEN)
        if rel.parts[0] != "make":
            assert "subprocess" not in imports(path), rel
        if rel.parts[0] != "cli":
            assert "print(" not in text, rel


def test_every_error_class_lives_in_errors():
    """One home for errors (issue 9): no module but errors.py defines an exception class."""
    for path in GEN.rglob("*.py"):
        if path.name == "errors.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef):
                bases = {b.id for b in node.bases if isinstance(b, ast.Name)}
                assert not bases & {"Exception", "BaseException", "GenError"} and not any(
                    b.endswith("Error") for b in bases
                ), f"{path.relative_to(GEN)}: {node.name}"
