"""Operator lowerings: one module per TFLite operator, each exporting `lower(graph, op, ctx) -> Layer`.

OPS is the one dispatch table. A lowering checks that tinygen can run the operator exactly (raising
TinygenError otherwise), precomputes everything the kernel needs, and names the template that emits its call.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..errors import TinygenError
from ..ir import Graph, Op, Tensor

# TFLite operator → module in tinygen.ops
OPS = {
    "ADD": "add",
    "AVERAGE_POOL_2D": "average_pool2d",
    "CONCATENATION": "concatenation",
    "CONV_2D": "conv2d",
    "DEPTHWISE_CONV_2D": "depthwise_conv2d",
    "DEQUANTIZE": "dequantize",
    "FULLY_CONNECTED": "fully_connected",
    "HARD_SWISH": "hard_swish",
    "LOGISTIC": "logistic",
    "MAX_POOL_2D": "max_pool2d",
    "MEAN": "mean",
    "MUL": "mul",
    "PAD": "pad",
    "PADV2": "pad",
    "QUANTIZE": "quantize",
    "RELU": "relu",
    "RELU6": "relu",
    "RESHAPE": "reshape",
    "SOFTMAX": "softmax",
    "TANH": "tanh",
}


@dataclass
class ConstArray:
    """A constant the generated C keeps in flash."""
    name: str  # unique C identifier (already prefixed)
    ctype: str
    values: np.ndarray


@dataclass
class InPlace:
    """A layer's declaration that its output may take over the memory of one input.

    The memory planner (tinygen/inplace.py) merges the two buffers only where the input dies at this layer and
    is neither the user's input buffer nor a constant, and only while the layer still calls one of `kernels`
    (a backend may have swapped the kernel for one that is not safe in place). Merging first switches the layer
    to its in-place form: `kernel` (None: the same kernel is safe as is), its scratch, flash constants and
    parameters. The lowering declaring this has checked that the kernel's access order makes it exact.
    """
    input: int  # position in Layer.inputs
    kernels: tuple[str, ...]  # the kernels this holds for
    kernel: str | None = None
    scratch_bytes: int = 0
    consts: list[ConstArray] = field(default_factory=list)
    drop: tuple[str, ...] = ()  # constants (by `what`) the in-place form no longer reads
    params: dict[str, Any] = field(default_factory=dict)
    slower: bool = False  # runs slower than the kernel it replaces: used only where it shrinks the arena
    applied: bool = False  # set by the planner when it merged the buffers


@dataclass
class Layer:
    """One operator, lowered: what its template needs to emit the kernel call."""
    op: Op
    template: str  # templates/ops/<template>.c.j2
    inputs: list[int]  # activation tensors the kernel reads
    outputs: list[int]  # tensors it writes
    params: dict[str, Any] = field(default_factory=dict)
    consts: list[ConstArray] = field(default_factory=list)
    scratch_bytes: int = 0
    macs: int = 0
    summary: str = ""
    alias: bool = False  # output shares its input's memory (no code emitted)
    inplace: list[InPlace] = field(default_factory=list)  # inputs the output may overwrite, preferred first
    fused: list[Op] = field(default_factory=list)  # further operators this layer's kernel call computes


@dataclass
class LowerContext:
    prefix: str  # C identifier prefix of the model
    backend: str = "portable"
    core: str = "host"  # target CPU (e.g. "cortex-m4"): CMSIS-NN's scratch sizes depend on it

    def const(self, op: Op, what: str, ctype: str, values) -> ConstArray:
        return ConstArray(f"{self.prefix}_op{op.index}_{what}", ctype, np.asarray(values))


def lower(graph: Graph, op: Op, ctx: LowerContext) -> Layer:
    module = importlib.import_module(f".{OPS[op.kind]}", __name__)
    layer = module.lower(graph, op, ctx)
    if ctx.backend == "cmsis-nn":
        from ..cmsis_nn import retarget  # per layer: CMSIS-NN's kernel where it is exact, else the portable one

        layer = retarget(layer, ctx)
    return layer


def unsupported(graph: Graph) -> list[str]:
    """Every operator tinygen has no lowering for, as 'KIND (operator N)'."""
    return [f"{op.kind} (operator {op.index})" for op in graph.ops if op.kind not in OPS]


# ---- helpers shared by the lowerings ----

def nhwc(shape) -> tuple[int, int, int, int]:
    """A shape of rank ≤ 4 as (n, h, w, c), leading dimensions padded with 1."""
    shape = tuple(int(d) for d in shape)
    if len(shape) > 4:
        raise TinygenError(f"a tensor of rank {len(shape)} is not supported", "use tensors of rank 4 or less")
    return (1,) * (4 - len(shape)) + shape


def require_int8(graph: Graph, op: Op, *tensors: int) -> list[Tensor]:
    out = []
    for t in tensors:
        tensor = graph.tensors[t]
        if tensor.dtype != "int8" or tensor.quant is None:
            raise TinygenError(f"{op.kind} (operator {op.index}) has {tensor.dtype} tensor '{tensor.name}'; "
                               "tinygen compiles int8-quantized operators",
                               "convert with full-integer int8 quantization")
        out.append(tensor)
    return out


def require_per_tensor(op: Op, *tensors: Tensor) -> None:
    """Activations carry one scale and zero point: refuse the first of `tensors` quantized per channel."""
    for tensor in tensors:
        if tensor.quant is not None and tensor.quant.per_channel:
            raise TinygenError(f"{op.kind} (operator {op.index}): activation '{tensor.name}' is quantized per "
                               "channel", "only weights may be quantized per channel")


def broadcast_nhwc(op: Op, a: Tensor, b: Tensor, y: Tensor) -> tuple[tuple[int, ...], ...]:
    """(n, h, w, c) shapes of a binary elementwise operator's inputs and output, after checking that the output
    is the inputs broadcast together (numpy rules, dimensions aligned from the right)."""
    rank = max(len(a.shape), len(b.shape), len(y.shape))
    if rank > 4:
        raise TinygenError(f"{op.kind} (operator {op.index}) has rank-{rank} tensors; "
                           "tinygen broadcasts up to rank 4", "reshape the operands to rank 4 or less")
    try:
        expected = tuple(int(d) for d in np.broadcast_shapes(tuple(a.shape), tuple(b.shape)))
    except ValueError:
        expected = None
    if expected != tuple(int(d) for d in y.shape):
        raise TinygenError(f"{op.kind} (operator {op.index}) combines {list(a.shape)} and {list(b.shape)} into "
                           f"{list(y.shape)}", "the model file is inconsistent; re-export it")
    return nhwc(a.shape), nhwc(b.shape), nhwc(y.shape)


def elementwise_inplace(kernels: tuple[str, ...], *same_shape: bool) -> list[InPlace]:
    """In-place declarations of an elementwise kernel that reads element i of each input just before it writes
    element i of the output: any input with the output's shape and element size may be overwritten
    (same_shape[k] for input k)."""
    return [InPlace(k, kernels) for k, same in enumerate(same_shape) if same]
