"""The operator registry: one folder per operator, each defining `OP`, an OpDef.

A folder tinygen/ops/<name>/ holds everything of its operator: the lowering (`lower`), its parameter objects,
the template(s) that emit its kernel call (*.c.j2), its portable kernels (tg_*.c, tg_*.h), its CMSIS-NN mapping
if any, an example model, and this definition. The reader's options table, the verifier's arity and shape
rules, activation fusion, constant folding, the fuzzer's seeds and the per-operator tests all derive from
REGISTRY: adding an operator is adding a folder (and its test file).
"""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

from .common import Arity, Layer, LowerContext, OpDef
from ..errors import TinygenError
from ..ir import Graph, Op

OPS_DIR = Path(__file__).parent


def _collect() -> dict[str, OpDef]:
    registry: dict[str, OpDef] = {}
    for info in sorted(pkgutil.iter_modules([str(OPS_DIR)]), key=lambda m: m.name):
        if not info.ispkg:
            continue
        module = importlib.import_module(f".{info.name}", __name__)
        definition = getattr(module, "OP", None)
        if not isinstance(definition, OpDef):
            raise RuntimeError(f"tinygen/ops/{info.name}/ defines no OP = OpDef(...)")
        definition = OpDef(**{**definition.__dict__, "folder": OPS_DIR / info.name})
        for kind in definition.kinds:
            if kind in registry:
                raise RuntimeError(f"{kind} is defined by both ops/{registry[kind].name} and ops/{info.name}")
            registry[kind] = definition
    return registry


REGISTRY: dict[str, OpDef] = _collect()
LOWERED = sorted(kind for kind, d in REGISTRY.items() if d.lower is not None)


def lower(graph: Graph, op: Op, ctx: LowerContext) -> Layer:
    return REGISTRY[op.kind].lower(graph, op, ctx)


def unsupported(graph: Graph) -> list[str]:
    """Every operator tinygen has no lowering for, as 'KIND (operator N)'."""
    return [f"{op.kind} (operator {op.index})" for op in graph.ops
            if op.kind not in REGISTRY or REGISTRY[op.kind].lower is None]


def require_lowerable(graph: Graph, known_only: bool = False) -> None:
    """Refuse the operators tinygen cannot lower; with known_only, only those the registry does not know at all
    (custom operators, whose tensors need not follow the builtin operators' rules: checked before those rules)."""
    missing = [m for m in unsupported(graph) if not known_only or m.split(" (operator ")[0] not in REGISTRY]
    if missing:
        raise TinygenError(f"unsupported operators: {', '.join(missing)}", f"tinygen supports {', '.join(LOWERED)}")

__all__ = ["LOWERED", "OPS_DIR", "REGISTRY", "Arity", "OpDef", "lower", "require_lowerable", "unsupported"]
