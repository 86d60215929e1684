"""Write docs/operators.md: every TFLM builtin operator and what tinygen does with it, from the registry.

Usage: python -m bench.coverage [--out docs/operators.md]
(tests/compiler/test_coverage.py checks the checked-in table equals this output.)
"""
from __future__ import annotations

import argparse
import re
from pathlib import Path

from tinygen.ops import REGISTRY, OpDef

ROOT = Path(__file__).resolve().parents[1]
OPS_TESTS = ROOT / "tests" / "ops"

# The builtins TFLM's MicroMutableOpResolver registers (its Add* methods' BuiltinOperator_* codes, CUSTOM left
# out): tensorflow/lite/micro/micro_mutable_op_resolver.h at tflite-micro commit 90b983c2b3f1.
TFLM_BUILTINS = (
    "ABS", "ADD", "ADD_N", "ARG_MAX", "ARG_MIN", "ASSIGN_VARIABLE", "AVERAGE_POOL_2D", "BATCH_MATMUL",
    "BATCH_TO_SPACE_ND", "BROADCAST_ARGS", "BROADCAST_TO", "CALL_ONCE", "CAST", "CEIL", "CONCATENATION", "CONV_2D",
    "COS", "CUMSUM", "DEPTHWISE_CONV_2D", "DEPTH_TO_SPACE", "DEQUANTIZE", "DIV", "DYNAMIC_UPDATE_SLICE", "ELU",
    "EMBEDDING_LOOKUP", "EQUAL", "EXP", "EXPAND_DIMS", "FILL", "FLOOR", "FLOOR_DIV", "FLOOR_MOD", "FULLY_CONNECTED",
    "GATHER", "GATHER_ND", "GREATER", "GREATER_EQUAL", "HARD_SWISH", "IF", "L2_NORMALIZATION", "L2_POOL_2D",
    "LEAKY_RELU", "LESS", "LESS_EQUAL", "LOG", "LOGICAL_AND", "LOGICAL_NOT", "LOGICAL_OR", "LOGISTIC", "LOG_SOFTMAX",
    "MAXIMUM", "MAX_POOL_2D", "MEAN", "MINIMUM", "MIRROR_PAD", "MUL", "NEG", "NOT_EQUAL", "PACK", "PAD", "PADV2",
    "PRELU", "QUANTIZE", "READ_VARIABLE", "REDUCE_ALL", "REDUCE_MAX", "REDUCE_MIN", "RELU", "RELU6", "RESHAPE",
    "RESIZE_BILINEAR", "RESIZE_NEAREST_NEIGHBOR", "REVERSE_V2", "ROUND", "RSQRT", "SELECT_V2", "SHAPE", "SIN",
    "SLICE", "SOFTMAX", "SPACE_TO_BATCH_ND", "SPACE_TO_DEPTH", "SPLIT", "SPLIT_V", "SQRT", "SQUARE",
    "SQUARED_DIFFERENCE", "SQUEEZE", "STRIDED_SLICE", "SUB", "SUM", "SVDF", "TANH", "TRANSPOSE", "TRANSPOSE_CONV",
    "UNIDIRECTIONAL_SEQUENCE_LSTM", "UNPACK", "VAR_HANDLE", "WHILE", "ZEROS_LIKE",
)


def proving_tests(kind: str, definition: OpDef) -> list[str]:
    """The test files that compare the operator with TFLM: its folder's tests/ops/test_<folder>.py, else the
    tests/ops files naming the kind, and the fuzzer's seed built from its example."""
    own = OPS_TESTS / f"test_{definition.name}.py"
    files = [own] if own.is_file() else [p for p in sorted(OPS_TESTS.glob("test_*.py"))
                                         if re.search(rf"\b{kind}\b", p.read_text())]
    tests = [f"`{p.relative_to(ROOT).as_posix()}`" for p in files]
    if definition.example is not None:
        tests.append(f"`tests/compiler/test_fuzz.py` (seed `op_{definition.name}`)")
    return tests


def row(kind: str) -> str:
    definition = REGISTRY.get(kind)
    if definition is None:
        return f"| {kind} | no | | | | |"
    if definition.lower is None:
        compiled, types, kernels = "constant inputs only", "any (folded)", ""
    else:
        compiled, types = "yes", ", ".join(t.replace("->", " → ") for t in definition.types)
        kernels = ", ".join(["portable", *sorted(definition.backends)])
    folded = "yes" if definition.fold is not None else ""
    return f"| {kind} | {compiled} | {types} | {kernels} | {folded} | {', '.join(proving_tests(kind, definition))} |"


def table() -> str:
    unknown = sorted(set(REGISTRY) - set(TFLM_BUILTINS))
    if unknown:
        raise RuntimeError(f"the registry serves {unknown}, which TFLM_BUILTINS does not list")
    compiled = sum(1 for k in TFLM_BUILTINS if k in REGISTRY and REGISTRY[k].lower is not None)
    folded_only = sum(1 for k in TFLM_BUILTINS if k in REGISTRY and REGISTRY[k].lower is None)
    lines = [
        "# Operator coverage",
        "",
        "Every builtin operator TensorFlow Lite Micro registers, and what tinygen does with it. Generated from the",
        "operator registry (`tinygen/ops/*/`) by `python -m bench.coverage`; do not edit by hand.",
        "",
        f"{compiled} of {len(TFLM_BUILTINS)} builtins compile; {folded_only} more fold away when their inputs are "
        "constant (a non-constant one is refused).",
        "Types name the tensors the lowering accepts (`a → b`: input a, output b); every compiled case is compared "
        "byte for byte with TFLM's reference kernels by the tests named.",
        "",
        "| operator | compiled | types | kernels | folded at compile time | tests |",
        "|---|---|---|---|---|---|",
    ]
    return "\n".join(lines + [row(kind) for kind in TFLM_BUILTINS]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "operators.md")
    args = parser.parse_args()
    args.out.write_text(table())
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
