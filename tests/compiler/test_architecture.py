"""The compiler's structure: no import cycles, every operator folder complete, and the tables that derive
from the registry agree with it."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tinygen
from tinygen import ops
from tinygen.frontend import tflite
from tinygen.ops import OPS_DIR, REGISTRY

PACKAGE = Path(tinygen.__file__).parent


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, module: str) -> set[str]:
    """tinygen modules `path` imports anywhere (module level or inside functions)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("tinygen")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("tinygen"):
                found.add(target)
                found |= {f"{target}.{a.name}" for a in node.names}  # `from pkg import submodule`
    return found


def test_no_import_cycles():
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph = {m: {i for i in _imports(p, m) if i in modules and i != m} for m, p in modules.items()}
    # A package's __init__ importing its own submodules is how packages work, not a cycle (their imports of
    # the package itself would be).
    for m in graph:
        graph[m] = {i for i in graph[m] if not (modules[m].name == "__init__.py" and i.startswith(m + "."))}
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m: str) -> None:
        state[m] = 1
        stack.append(m)
        for n in sorted(graph[m]):
            if state.get(n) == 1:
                cycle = stack[stack.index(n):] + [n]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if n not in state:
                visit(n)
        stack.pop()
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m)


def test_lowerings_import_no_backend():
    for path in OPS_DIR.rglob("*.py"):
        imported = _imports(path, _module_name(path))
        assert not any(i.startswith("tinygen.backends") for i in imported), path


@pytest.mark.parametrize("name", sorted({d.name for d in REGISTRY.values()}))
def test_operator_folder_is_complete(name):
    d = next(d for d in REGISTRY.values() if d.name == name)
    assert (OPS_DIR / name / "__init__.py").is_file()
    assert set(d.arity) == set(d.kinds) == set(d.options)
    if d.lower is None:
        assert d.fold is not None, f"{name} neither lowers nor folds"
        return
    assert d.example is not None, f"ops/{name} has no example model"
    if d.header is not None:  # its own kernels, or another operator's it shares (SLICE walks as TRANSPOSE does)
        homes = [h.parent for h in OPS_DIR.glob(f"*/{d.header}")]
        assert homes, f"ops/{name} names {d.header}, which no operator folder holds"
        assert list(homes[0].glob("tg_*.c")), f"{d.header} of ops/{name} has no kernel source beside it"


def test_tables_derive_from_the_registry():
    assert set(tflite.OPTIONS) | tflite._NO_OPTIONS == set(REGISTRY)
    assert ops.LOWERED == sorted(k for k, d in REGISTRY.items() if d.lower is not None)


def test_project_holds_only_the_kernels_the_model_calls():
    from tests.support.helpers import mlperf_model

    from tinygen.boards import get_board
    from tinygen.codegen import kernel_files
    from tinygen.project import generate

    project = generate(mlperf_model("kws_ref_model"), get_board("nucleo_f446re"), backend="portable")
    _, defined = kernel_files()
    called = {layer.kernel for layer in project.program.layers if not layer.alias}
    lib = f"lib/{project.program.name}/"
    sources = {Path(rel).name for rel in project.files if rel.startswith(lib) and rel.endswith(".c")}
    assert sources - {f"{project.program.name}.c"} == {defined[k] for k in called}
    assert "tg_mul.c" not in sources and "tg_add.c" not in sources  # KWS has no MUL nor ADD
