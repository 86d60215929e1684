"""The verifier: every number that flows from the model into C is checked before any code is written.

`well_formed` runs before the graph passes (so they can index tensors and evaluate constants safely) and again
after them inside `verify`, which compiler.py runs just before lowering. Together with the checks each lowering
makes on its own operator (shape consistency, options, quantization it can run exactly), they guarantee that
the generated C of an accepted model never indexes out of bounds and never overflows a C int:

- every dimension is ≥ 1 (activations) and every tensor holds at most MAX_ELEMENTS values, so element counts,
  byte counts and index arithmetic fit an int32 (16.7 M elements is far beyond any microcontroller model);
- window parameters (strides, dilations, filter sizes) lie in [1, MAX_WINDOW] (quant.padding_and_output bounds
  the effective extent), enum options hold known values, axes lie in range;
- scales are finite and positive, zero points fit their type, per-channel scales match the quantized dimension;
- a weighted operator's accumulator (int32; int64 for 16x8 with an int64 bias) cannot overflow for any input
  (checked on the real weights);
- at most MAX_OPERATORS operators and MAX_TENSORS tensors (the reader refuses more before decoding them).
"""
from __future__ import annotations

import math

import numpy as np

from .errors import TinygenError, corrupted
from .ir import DTYPES, Graph, Op, Tensor
from .limits import (INT32_MAX, MAX_ACTIVATION_BYTES, MAX_ELEMENTS, MAX_OPERATORS, MAX_RANK,  # noqa: F401
                     MAX_TENSORS, MAX_WINDOW)
from .ops import REGISTRY, int4

_WINDOW_OPTIONS = ("stride_w", "stride_h", "dilation_w_factor", "dilation_h_factor", "filter_width",
                   "filter_height")
_ENUM_OPTIONS = {"padding": (0, 1), "fused_activation_function": tuple(range(6))}
_ZERO_POINT_RANGE = {"int8": (-128, 127), "uint8": (0, 255), "int16": (-32768, 32767),
                     "int32": (-(1 << 31), INT32_MAX)}


def _where(op: Op) -> str:
    return f"{op.kind} (operator {op.index})"


def _tname(t: Tensor) -> str:
    return f"tensor {t.index} ({t.name})" if t.name else f"tensor {t.index}"


def _used(graph: Graph) -> list[int]:
    seen = dict.fromkeys(i for op in graph.ops for i in op.inputs + op.outputs if i >= 0)
    seen.update(dict.fromkeys(graph.inputs + graph.outputs))
    return list(seen)


def _check_tensor(t: Tensor) -> None:
    if len(t.shape) > MAX_RANK:
        raise TinygenError(f"{_tname(t)} has rank {len(t.shape)}", f"use tensors of rank {MAX_RANK} or less")
    if any(d < 0 for d in t.shape):
        raise TinygenError(f"{_tname(t)} has a dynamic or unknown shape {list(t.shape)}",
                           "export the model with fixed input shapes (batch size 1)")
    count = math.prod(t.shape)
    if count > MAX_ELEMENTS:
        raise TinygenError(f"{_tname(t)} of shape {list(t.shape)} holds {count} values; tinygen handles up to "
                           f"{MAX_ELEMENTS} per tensor", "a microcontroller model's tensors are far smaller: "
                           "check the model's input size")
    if t.data is not None and t.data.size != count:
        raise corrupted(f"constant {_tname(t)} holds {t.data.size} values for shape {list(t.shape)}")
    q = t.quant
    if q is None:
        return
    with np.errstate(invalid="ignore"):  # a signalling NaN (bit flips make them) warns when widened
        scale, zp = np.asarray(q.scale, np.float64), np.asarray(q.zero_point)
    if len(scale) != len(zp) or len(scale) == 0:
        raise corrupted(f"{_tname(t)} has {len(scale)} scales and {len(zp)} zero points")
    if not (np.all(np.isfinite(scale)) and np.all(scale > 0)):
        bad = scale[~(np.isfinite(scale) & (scale > 0))][0]
        raise TinygenError(f"{_tname(t)} has quantization scale {bad:g}; scales must be finite and positive",
                           "re-quantize the model (the calibration data may be constant or contain NaN/inf)")
    lo, hi = _ZERO_POINT_RANGE.get(t.dtype, (-(1 << 63), (1 << 63) - 1))
    if np.any(zp < lo) or np.any(zp > hi):
        raise corrupted(f"{_tname(t)} has a zero point outside [{lo}, {hi}] for {t.dtype}")
    if len(scale) > 1:
        if not 0 <= q.axis < len(t.shape):
            raise corrupted(f"{_tname(t)} is quantized along axis {q.axis} but has rank {len(t.shape)}")
        if len(scale) != t.shape[q.axis]:
            raise corrupted(f"{_tname(t)} has {len(scale)} per-channel scales for {t.shape[q.axis]} channels "
                            f"along axis {q.axis}")


def well_formed(graph: Graph) -> None:
    """Structure and tensors: what the passes and every lowering may rely on without checking again."""
    n = len(graph.tensors)
    if len(graph.ops) > MAX_OPERATORS or n > MAX_TENSORS:
        raise TinygenError(f"the model has {len(graph.ops)} operators and {n} tensors; tinygen compiles models of "
                           f"up to {MAX_OPERATORS} and {MAX_TENSORS}", "microcontroller models are far smaller")
    for i in graph.inputs + graph.outputs + [i for op in graph.ops for i in op.outputs]:
        if not 0 <= i < n:
            raise corrupted(f"a tensor index {i} is out of range (the model has {n} tensors)")
    for i in (i for op in graph.ops for i in op.inputs):
        if not -1 <= i < n:
            raise corrupted(f"a tensor index {i} is out of range (the model has {n} tensors)")
    for i in _used(graph):
        _check_tensor(graph.tensors[i])

    available = set(graph.inputs) | {t.index for t in graph.tensors if t.is_const or t.is_variable}
    produced: set[int] = set()
    for i in graph.inputs:
        if graph.tensors[i].is_const:
            raise corrupted(f"the model input {_tname(graph.tensors[i])} is a constant")
    for op in graph.ops:
        definition = REGISTRY.get(op.kind)
        if definition is not None:  # an operator tinygen lowers or folds: the wrong arity is a corrupted file
            arity = definition.arity[op.kind]
            need, optional, outs = arity.inputs, arity.optional, arity.outputs
            if (len(op.inputs) < need or (optional is not None and len(op.inputs) > need + optional)
                    or (not op.outputs and outs != 0) or (outs is not None and len(op.outputs) != outs)):
                raise corrupted(f"{_where(op)} has {len(op.inputs)} inputs and {len(op.outputs)} outputs")
            if any(i < 0 for i in op.inputs[:need]):
                raise corrupted(f"{_where(op)} omits a required input")
        if not op.outputs and (definition is None or definition.arity[op.kind].outputs != 0):
            raise corrupted(f"{_where(op)} has no outputs")
        for i in op.inputs:
            if i >= 0 and i not in available:
                raise corrupted(f"{_where(op)} reads {_tname(graph.tensors[i])}, which no earlier operator computes")
        for i in op.outputs:
            t = graph.tensors[i]
            if i in produced or t.is_const or i in graph.inputs:
                raise corrupted(f"{_where(op)} writes {_tname(t)}, which is "
                                + ("a constant" if t.is_const else "the model input" if i in graph.inputs
                                   else "already written by another operator"))
            produced.add(i)
            available.add(i)
    for i in graph.outputs:
        if i not in produced and i not in graph.inputs:
            raise corrupted(f"the model output {_tname(graph.tensors[i])} is computed by no operator")


def _check_options(graph: Graph, op: Op) -> None:
    o = op.options
    for key in _WINDOW_OPTIONS:
        if key in o and not 1 <= int(o[key]) <= MAX_WINDOW:
            raise TinygenError(f"{_where(op)} has {key} {o[key]}", f"{key} must lie in [1, {MAX_WINDOW}]; "
                               "re-export the model")
    for key, allowed in _ENUM_OPTIONS.items():
        if key in o and int(o[key]) not in allowed:
            raise corrupted(f"{_where(op)} has unknown {key} {o[key]}")
    if "axis" in o:
        rank = len(graph.tensors[op.outputs[0]].shape)
        if not -max(rank, 1) <= int(o["axis"]) < max(rank, 1):
            raise corrupted(f"{_where(op)} has axis {o['axis']} for a rank-{rank} output")
    for key, value in o.items():
        if isinstance(value, float) and not math.isfinite(value):
            raise corrupted(f"{_where(op)} has {key} {value}")


# 16x8 operators with an int64 bias accumulate in int64; TFLM's 64-bit MultiplyByQuantizedMultiplier assumes
# |acc| < 2^47 (beyond it the product with the Q15 multiplier could leave int64).
INT64_ACCUMULATOR_MAX = (1 << 47) - 1


def _check_accumulator(graph: Graph, op: Op) -> None:
    """span·Σ|w| + |bias| stays within the accumulator per output channel: (x − zero point) spans at most 255
    for int8 inputs and 65535 for int16 ones; the accumulator is int32, or int64 for 16x8 with an int64 bias."""
    w = graph.tensors[op.inputs[1]]
    x = graph.tensors[op.inputs[REGISTRY[op.kind].data_input]]
    axis = REGISTRY[op.kind].weights_axis
    if w.data is None or w.dtype not in ("int8", "int4") or len(w.shape) <= axis or x.dtype not in ("int8", "int16"):
        return  # the lowering refuses these
    per_channel = np.moveaxis(np.abs(w.data.astype(np.int64)), axis, 0).reshape(w.shape[axis], -1).sum(axis=1)
    bound = (255 if x.dtype == "int8" else 65535) * per_channel
    limit, accumulator = INT32_MAX, "int32"
    bias_input = REGISTRY[op.kind].bias_input
    if len(op.inputs) > bias_input and op.inputs[bias_input] >= 0:
        b = graph.tensors[op.inputs[bias_input]]
        if b.data is not None and b.dtype in ("int32", "int64") and b.size == w.shape[axis]:
            bound = bound + np.abs(b.data.astype(np.int64).reshape(-1))  # |int64| < 2^63: no wrap (checked below)
            if x.dtype == "int16" and b.dtype == "int64":
                limit, accumulator = INT64_ACCUMULATOR_MAX, "int64"
    elif x.dtype == "int16" and op.options.get("quantized_bias_type", 0) != 2:  # 2: INT32
        limit, accumulator = INT64_ACCUMULATOR_MAX, "int64"
    if np.any(bound > limit):
        raise TinygenError(f"{_where(op)} could overflow its {accumulator} accumulator (weights and bias of "
                           f"channel {int(np.argmax(bound))} sum to {int(bound.max())} times the input range)",
                           "split the layer or re-quantize its weights; TFLite would overflow too")


def _check_variable(graph: Graph, t: Tensor) -> None:
    """A variable (state kept between invokes) must be the state input of exactly one operator that declares it
    (OpDef.state_inputs), and neither a model input or output nor written by another operator."""
    readers = [(op, k) for op in graph.ops for k, i in enumerate(op.inputs) if i == t.index]
    declared = [op for op, k in readers if op.kind in REGISTRY and k in REGISTRY[op.kind].state_inputs]
    shared = len(declared) > 1 and all(REGISTRY[op.kind].shares_state for op, _ in readers)
    if ((not shared and (len(readers) != 1 or len(declared) != 1)) or len(declared) != len(readers)
            or t.index in graph.inputs + graph.outputs
            or graph.producer(t.index) is not None):
        stateful = sorted(kind for kind, d in REGISTRY.items() if d.state_inputs and not d.shares_state)
        where = ", ".join(f"{_where(op)} input {k}" for op, k in readers) or "no operator"
        raise TinygenError(f"{_tname(t)} is a variable (state kept between inferences) read by {where}; tinygen "
                           f"keeps state only as the state input of one {'/'.join(stateful)} operator or as a "
                           "resource variable (READ_VARIABLE/ASSIGN_VARIABLE)",
                           "export without other stateful layers (or variables shared between operators)")


def verify(graph: Graph) -> None:
    """Run after the passes, before lowering: well-formedness again, then what only a final graph can tell."""
    well_formed(graph)
    activation_bytes = 0
    for i in _used(graph):
        t = graph.tensors[i]
        if t.dtype == "int4":  # packed weights: constants, two per byte, never in the arena
            int4.check_uses(graph, t)
            continue
        if t.dtype not in DTYPES:
            raise TinygenError(f"{_tname(t)} has type {t.dtype}, which tinygen does not handle",
                               "convert with full-integer int8 quantization")
        if t.is_variable:
            _check_variable(graph, t)
        if math.prod(t.shape) == 0 and not (t.is_const and t.dtype in ("int32", "int64")):
            raise TinygenError(f"{_tname(t)} has an empty shape {list(t.shape)}", "re-export the model")
        if not t.is_const:
            activation_bytes += math.prod(t.shape) * DTYPES[t.dtype]
    if activation_bytes > MAX_ACTIVATION_BYTES:
        raise TinygenError(f"the model's activations total {activation_bytes} bytes", "no microcontroller has "
                           f"that much RAM; tinygen plans at most {MAX_ACTIVATION_BYTES} bytes")
    for op in graph.ops:
        _check_options(graph, op)
        definition = REGISTRY.get(op.kind)
        if definition is not None and definition.same_shape:
            x, y = graph.tensors[op.inputs[0]], graph.tensors[op.outputs[0]]
            if tuple(x.shape) != tuple(y.shape):
                raise corrupted(f"{_where(op)} maps shape {list(x.shape)} to {list(y.shape)}")
        if definition is not None and definition.weights_axis is not None:
            _check_accumulator(graph, op)
