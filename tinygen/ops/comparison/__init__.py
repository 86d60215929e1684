"""EQUAL, NOT_EQUAL, GREATER, GREATER_EQUAL, LESS, LESS_EQUAL → tg_comparison_s8 / _s32 / _u8: TFLite Micro's
comparisons.cc, bool output.

int8 operands are compared as ComparisonWithScaling compares them: ComparisonsPrepare rescales each by its own
scale alone (QuantizeMultiplierSmallerThanOneExp(scale), left shift 8), so two int8 values are equal when their
rescaled values round alike. int32 (and bool for EQUAL / NOT_EQUAL) compare the stored values, as TFLM's
NoScaling forms. TFLM compares int16 only in GREATER, with the rescale parameters its Prepare never sets: refused.
Operands broadcast as numpy does (TFLM's BroadcastBinaryOpSimple; up to 5 dimensions once adjacent ones merge);
the comparison is the kernel's parameter.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..common import (Arity, BroadcastLoop, Layer, LowerContext, OpDef, broadcast_loop, elementwise_inplace,
                      require_per_tensor, require_quantized)
from ...errors import TinygenError
from ...quant import quantize_multiplier

# Bit k of the truth table holds where sign(a - b) + 1 == k (tg_comparison_params.truth).
TRUTH = {"EQUAL": 0b010, "NOT_EQUAL": 0b101, "GREATER": 0b100, "GREATER_EQUAL": 0b110, "LESS": 0b001,
         "LESS_EQUAL": 0b011}
NUMPY = {"EQUAL": np.equal, "NOT_EQUAL": np.not_equal, "GREATER": np.greater, "GREATER_EQUAL": np.greater_equal,
         "LESS": np.less, "LESS_EQUAL": np.less_equal}
OPTIONS = {"EQUAL": "EqualOptions", "NOT_EQUAL": "NotEqualOptions", "GREATER": "GreaterOptions",
           "GREATER_EQUAL": "GreaterEqualOptions", "LESS": "LessOptions", "LESS_EQUAL": "LessEqualOptions"}
LEFT_SHIFT = 8  # ComparisonsPrepare's kLeftShift
KERNELS = {"int8": "tg_comparison_s8", "int32": "tg_comparison_s32", "bool": "tg_comparison_u8"}
EQUALITY = ("EQUAL", "NOT_EQUAL")  # the comparisons TFLM also runs on bool


@dataclass(frozen=True)
class ComparisonParams:
    truth: int
    left_shift: int
    in1_offset: int
    in1_mult: int
    in1_shift: int
    in2_offset: int
    in2_mult: int
    in2_shift: int
    walk: BroadcastLoop


def operand_rescale(op, t) -> tuple[int, int]:
    """QuantizeMultiplierSmallerThanOneExp(scale): TFLM aborts unless 0 < scale < 1 and the shift is ≤ 0."""
    mult, shift = quantize_multiplier(t.scale) if 0.0 < t.scale < 1.0 else (0, 1)
    if shift > 0:
        raise TinygenError(f"{op.kind} (operator {op.index}): int8 operand '{t.name}' has scale {t.scale:g}; "
                           "TFLM rescales each operand by its scale and requires it in (0, 1)",
                           "re-quantize the model so that the compared tensors have scales below 1")
    return mult, shift


def require_operands(graph, op):
    """The two operands (one type, one TFLM compares) and the bool output."""
    a, b, y = (graph.tensors[t] for t in (op.inputs[0], op.inputs[1], op.outputs[0]))
    if y.dtype != "bool":
        raise TinygenError(f"{op.kind} (operator {op.index}) writes {y.dtype}; a comparison writes bool",
                           "the model file is inconsistent; re-export it")
    if a.dtype != b.dtype:
        raise TinygenError(f"{op.kind} (operator {op.index}) compares {a.dtype} with {b.dtype}",
                           "give both operands one type (TFLM reads the second as the first's type)")
    types = ("int8", "int32", "bool") if op.kind in EQUALITY else ("int8", "int32")
    if a.dtype not in types:
        uninitialised = a.dtype == "int16" and op.kind == "GREATER"
        why = " (TFLM's GREATER leaves the int16 rescale uninitialised)" if uninitialised else ""
        raise TinygenError(f"{op.kind} (operator {op.index}) compares {a.dtype} tensors{why}; tinygen compares "
                           f"{', '.join(types)}", "convert with int8 quantization")
    if a.dtype == "int8":
        require_quantized(graph, op, ("int8",), op.inputs[0], op.inputs[1])
        require_per_tensor(op, a, b)
    elif a.dtype == "int32" and _quantization(a) != _quantization(b):
        raise TinygenError(f"{op.kind} (operator {op.index}) compares int32 tensors of different quantizations; "
                           "TFLM compares their stored values", "give both operands one quantization")
    return a, b, y


def _quantization(t):
    return None if t.quant is None else (t.scale, t.zero_point, t.quant.per_channel)


def lower(graph, op, ctx: LowerContext) -> Layer:
    a, b, y = require_operands(graph, op)
    walk = broadcast_loop(op, (a, b), y)
    rescale = (LEFT_SHIFT, -a.zero_point, *operand_rescale(op, a), -b.zero_point, *operand_rescale(op, b)) \
        if a.dtype == "int8" else (0,) * 7
    kernel = KERNELS[a.dtype]
    how = f"{y.size}" if walk.flat else f"{list(a.shape)}, {list(b.shape)}"
    # Element i of each operand is read just before element i of the output: a 1-byte operand of the output's
    # shape may be overwritten.
    inplace = elementwise_inplace((kernel,), *(walk.same_as_output(k) and t.dtype != "int32"
                                               for k, t in enumerate((a, b))))
    return Layer(op, "comparison/comparison.c.j2", kernel, (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                 ComparisonParams(TRUTH[op.kind], *rescale, walk),
                 summary=f"{op.kind} {a.dtype} {how}", inplace=inplace)


def fold(graph, op, args):
    """Constant int32 or bool operands compare as stored (int8 ones are left to the kernel's rescale)."""
    try:
        a, _, _ = require_operands(graph, op)
    except TinygenError:  # the lowering refuses it
        return None
    return NUMPY[op.kind](args[0], args[1]) if a.dtype in ("int32", "bool") else None


def example(m, rng) -> bytes:
    """x > a broadcast constant row (another scale), then EQUAL of that with x <= x' (x' requantized)."""
    x = m.tensor([1, 3, 4, 5], scale=0.05, zero_point=-4)
    c = m.tensor([5], scale=0.03, zero_point=10, data=rng.integers(-128, 128, 5).astype(np.int8))
    g = m.tensor([1, 3, 4, 5], "bool")
    m.op("GREATER", [x, c], [g])
    x2 = m.tensor([1, 1, 4, 1], scale=0.07, zero_point=3, data=rng.integers(-128, 128, 4).astype(np.int8))
    le = m.tensor([1, 3, 4, 5], "bool")
    m.op("LESS_EQUAL", [x, x2], [le])
    y = m.tensor([1, 3, 4, 5], "bool")
    m.op("EQUAL", [g, le], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=tuple(TRUTH), arity={k: Arity(2) for k in TRUTH}, options=OPTIONS, lower=lower, fold=fold,
           types=("int8->bool", "int32->bool", "bool->bool (EQUAL, NOT_EQUAL)"), example=example,
           header="tg_comparison.h")
