"""int4 weights (TFLite's INT4 tensors), shared by CONV_2D, DEPTHWISE_CONV_2D and FULLY_CONNECTED.

TFLM accepts them as those operators' constant filters only, with int8 activations. The reader unpacks them to
one int8 per element (every check and offline sum reads those values); the weights constant keeps TFLM's
packing, so flash holds two weights per byte: element 2i of the flat tensor in the low nibble of byte i, 2i + 1
in the high nibble, an odd count's last high nibble 0 (tensor_utils::UnpackDenseInt4IntoInt8). The portable
kernels (tg_*_s4) unpack a block of filters into layer scratch (kernels/tg_int4.h) and run the int8 code on it;
CMSIS-NN's s4 kernels read the packed bytes themselves.
"""
from __future__ import annotations

import numpy as np

from .common import Const, const
from ..errors import TinygenError
from ..ir import Graph, Op, Tensor

# The operators whose input 1 (the filter) TFLM reads as int4.
KINDS = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED")
WEIGHTS_INPUT = 1


def pack(values: np.ndarray) -> np.ndarray:
    """int8 values in [-8, 7] → TFLM's packed int4 bytes (as int8), two per byte, low nibble first."""
    flat = np.ascontiguousarray(values, np.int8).reshape(-1)
    nibbles = np.zeros(2 * ((len(flat) + 1) // 2), np.uint8)
    nibbles[:len(flat)] = flat.view(np.uint8) & 0x0F
    return (nibbles[0::2] | (nibbles[1::2] << 4)).view(np.int8)


def weights_const(w: Tensor) -> Const:
    """The "weights" constant of a filter: its int8 values, or an int4 filter's packed bytes (flat)."""
    return const("weights", "int8_t", pack(w.data) if w.dtype == "int4" else w.data)


def require_int8_activations(op: Op, w: Tensor, x: Tensor) -> None:
    """TFLM's kernels take int4 filters with int8 activations only (its 16x8 kernels read int8 filters)."""
    if w.dtype == "int4" and x.dtype != "int8":
        raise TinygenError(f"{op.kind} (operator {op.index}) has int4 weights with {x.dtype} activations; "
                           "TFLite Micro runs int4 weights with int8 activations only",
                           "quantize the activations to int8 (or the weights to int8)")


def check_uses(graph: Graph, t: Tensor) -> None:
    """An int4 tensor must be a constant filter (input 1) of the operators in KINDS, and nothing else."""
    readers = [(op, k) for op in graph.ops for k, i in enumerate(op.inputs) if i == t.index]
    writers = [op for op in graph.ops if t.index in op.outputs]
    bad = [f"{op.kind} (operator {op.index}) input {k}" for op, k in readers
           if op.kind not in KINDS or k != WEIGHTS_INPUT]
    bad += [f"{op.kind} (operator {op.index}) output" for op in writers]
    if not t.is_const or bad or t.index in graph.inputs + graph.outputs:
        where = ", ".join(bad) or ("a model input or output" if t.is_const else "a non-constant tensor")
        raise TinygenError(f"tensor {t.index} ({t.name}) is int4, used as {where}; TFLite Micro reads int4 only "
                           f"as the constant weights of {', '.join(KINDS)}",
                           "quantize that tensor to int8")
