"""Every third-party module the code imports is declared in pyproject.toml, so that the README's install command
brings it: the package (tinygen/ and the folders it maps into itself) needs it in [project] dependencies, or, for
a module imported only inside a function and turned into a one-line error when missing, in the extra named here;
examples/, bench/ and tests/ may also rely on the extra their install command names."""
from __future__ import annotations

import ast
import importlib.metadata
import re
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())

# module → the extra that declares it; the package imports these lazily (see tinygen/frontend/keras.py)
OPTIONAL = {"tensorflow": "keras", "keras": "keras", "onnx": "onnx", "onnxruntime": "onnx", "onnx2tf": "onnx",
            "tensorflow_model_optimization": "prune", "tf_keras": "prune", "ai_edge_quantizer": "quantize"}
# folder → the extras its install command adds (README: `pip install -e ".[examples]"`, the ONNX example's
# docstring: [examples,onnx], .ci/run: [test,examples,onnx,prune,quantize]); a file follows the deepest folder
# listed
EXTRAS = {"examples": ["examples"], "examples/onnx_digits": ["examples", "onnx"],
          "bench": ["test", "examples", "onnx"], "tests": ["test", "examples", "onnx", "prune", "quantize"]}


def _name(requirement: str) -> str:
    """PEP 503 normalized distribution name of a requirement string ("ai-edge-litert>=1.2" → "ai-edge-litert")."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement).group(0)).lower()


def declared(extras: list[str] = ()) -> set[str]:
    project = PYPROJECT["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return {_name(r) for r in requirements}


def imports(source: str) -> dict[str, bool]:
    """Top-level module of every absolute import → True if any import of it runs when the module is loaded
    (not inside a function)."""
    found: dict[str, bool] = {}

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            names = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                names = [child.module]
            for name in names:
                top = name.split(".")[0]
                found[top] = found.get(top, False) or not inner
            visit(child, inner)

    visit(ast.parse(source), False)
    return found


def third_party(folder: Path, local: set[str]) -> dict[str, dict[str, bool]]:
    """{module: {file: imported at load time?}} over folder/**/*.py, leaving out the standard library and the
    folder's own modules."""
    found: dict[str, dict[str, bool]] = {}
    for path in sorted(folder.rglob("*.py")):
        for module, eager in imports(path.read_text()).items():
            if module not in sys.stdlib_module_names and module not in local and module != "__future__":
                found.setdefault(module, {})[path.relative_to(folder.parent).as_posix()] = eager
    return found


def distributions(module: str) -> set[str]:
    return {_name(d) for d in importlib.metadata.packages_distributions().get(module, [])}


def undeclared(found: dict[str, dict[str, bool]], allowed: set[str]) -> list[str]:
    problems = []
    for module, files in sorted(found.items()):
        dists = distributions(module)
        where = ", ".join(sorted(files))
        if not dists:
            problems.append(f"{module} (imported by {where}) is not installed: no distribution to check")
        elif not dists & allowed:
            problems.append(f"{module} (imported by {where}) comes from {', '.join(sorted(dists))}, "
                            "which pyproject.toml does not declare")
    return problems


def _package_folders() -> list[Path]:
    setuptools = PYPROJECT["tool"]["setuptools"]
    return [ROOT / "tinygen"] + [ROOT / d for d in setuptools.get("package-dir", {}).values()]


def test_the_package_declares_what_it_imports():
    found: dict[str, dict[str, bool]] = {}
    for folder in _package_folders():
        for module, files in third_party(folder, {"tinygen"}).items():
            found.setdefault(module, {}).update(files)
    core = {m: f for m, f in found.items() if m not in OPTIONAL}
    assert not undeclared(core, declared()), "\n".join(undeclared(core, declared()))
    for module, files in found.items():
        if module in OPTIONAL:
            assert not undeclared({module: files}, declared([OPTIONAL[module]]))
            eager = sorted(f for f, at_load in files.items() if at_load)
            assert not eager, f"{module} is optional (the {OPTIONAL[module]!r} extra) but {eager} import it at load"


def _install_folder(file: str) -> str:
    """The deepest folder of EXTRAS holding `file` (a path relative to the repository)."""
    return max((f for f in EXTRAS if file.startswith(f + "/")), key=len)


@pytest.mark.parametrize("folder", sorted(EXTRAS))
def test_scripts_declare_what_they_import(folder):
    top = ROOT / folder.split("/")[0]
    # this repository's modules: the scripts' own (flat, or a sibling example's package folder) and the project's
    local = {p.stem for p in top.rglob("*.py")} | {p.name for p in top.iterdir() if p.is_dir()}
    local |= {"tinygen", "tests", "bench"}
    found = {module: here for module, files in third_party(top, local).items()
             if (here := {f: eager for f, eager in files.items() if _install_folder(f) == folder})}
    problems = undeclared(found, declared(EXTRAS[folder]))
    assert not problems, "\n".join(problems)


def test_the_check_sees_an_undeclared_import(tmp_path):
    """The checker itself: an import of a module whose distribution is not declared is reported, one inside a
    function is told apart from one at load time, relative and standard-library imports are left out."""
    (tmp_path / "m.py").write_text("import json\nfrom . import x\nimport numpy.linalg\n"
                                   "def f():\n    import pytest\n")
    found = third_party(tmp_path, set())
    assert {m: set(f.values()) for m, f in found.items()} == {"numpy": {True}, "pytest": {False}}
    assert undeclared(found, declared(["test"])) == []
    assert [p.split()[0] for p in undeclared(found, declared())] == ["pytest"]


@pytest.mark.parametrize("blocked, args, expected", [
    ("tensorflow", ["emulate", "m.keras", "--calibration", "c.npy"],
     'error: Keras models need TensorFlow (…) — pip install -e ".[keras]"'),
    ("matplotlib", ["report", "fc.tflite", "--plot", "m.png"],
     "error: --plot needs matplotlib (…) — pip install matplotlib"),
])
def test_a_missing_module_is_one_line(blocked, args, expected, tmp_path, monkeypatch):
    """A module that is not installed (blocked here) gives the one-line error with the pip command, exit 2."""
    import numpy as np
    from click.testing import CliRunner

    from tests.support import schema_model
    from tinygen.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "m.keras").write_bytes(b"PK\x03\x04")
    np.save(tmp_path / "c.npy", np.zeros((4, 16), np.float32))
    (tmp_path / "fc.tflite").write_bytes(schema_model.fc_model(1))
    for name in [m for m in sys.modules if m == blocked or m.startswith(blocked + ".")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, blocked, None)
    result = CliRunner().invoke(main, args, prog_name="tinygen")
    pattern = ".*".join(re.escape(part) for part in expected.split("…"))
    assert result.exit_code == 2 and re.fullmatch(pattern, result.stderr.strip()), (result.exit_code, result.stderr)
