"""ADD (int8, int16) → tg_elementwise_add_s8 / _s16 when the operands have the output's shape, else
tg_broadcast_add_s8 / _s16.

Parameters as TFLM's micro/kernels/add_common.cc CalculateOpDataAdd computes them, in double precision:
both inputs are rescaled to twice the larger input scale with 20 bits of headroom (15 for int16), summed, then
rescaled to the output.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import cmsis_nn
from ..common import (TYPE_SUFFIX, Activation, Arity, FloatActivation, InPlace, Layer, LowerContext, OpDef,
                      broadcast_nhwc, elementwise_inplace, float_activation, require_float, require_per_tensor,
                      require_quantized)
from ...errors import TinygenError
from ...quant import TYPE_RANGE, activation_range, quantize_multiplier_smaller_than_one_exp

LEFT_SHIFT = {"int8": 20, "int16": 15}  # TFLM's headroom bits per activation type


@dataclass(frozen=True)
class AddParams:
    """tg_add_params: the arithmetic of one ADD element (shared with the convolution's residual epilogue)."""
    in1_offset: int
    in1_mult: int
    in1_shift: int
    in2_offset: int
    in2_mult: int
    in2_shift: int
    left_shift: int
    out_offset: int
    out_mult: int
    out_shift: int
    act: Activation

    def swapped(self) -> "AddParams":
        """The same ADD with its operands exchanged (the rescaled sum is an integer addition)."""
        return AddParams(self.in2_offset, self.in2_mult, self.in2_shift, self.in1_offset, self.in1_mult,
                         self.in1_shift, self.left_shift, self.out_offset, self.out_mult, self.out_shift, self.act)


@dataclass(frozen=True)
class Elementwise:
    """A binary elementwise operator's shapes: NHWC-padded dims, or one size when nothing broadcasts."""
    size: int
    dims1: tuple[int, ...]
    dims2: tuple[int, ...]
    dims_out: tuple[int, ...]

    @property
    def broadcast(self) -> bool:
        return not (self.dims1 == self.dims2 == self.dims_out)


def broadcast_walk(op, a, b, y, kernel: str) -> tuple[Elementwise, tuple[InPlace, ...]]:
    """The shapes of a kernel that always walks dims (tg_broadcast_binary_s8), equal shapes as one flat run, and
    its in-place forms: element i of each input is read just before element i of the output is written."""
    shape = Elementwise(y.size, *broadcast_nhwc(op, a, b, y))
    if not shape.broadcast:
        flat = (1, 1, 1, y.size)
        shape = Elementwise(y.size, flat, flat, flat)
    return shape, elementwise_inplace((kernel,), shape.dims1 == shape.dims_out, shape.dims2 == shape.dims_out)


@dataclass(frozen=True)
class AddLayer:
    add: AddParams
    shape: Elementwise


@dataclass(frozen=True)
class FloatBinaryLayer:
    act: FloatActivation
    shape: Elementwise


def lower_float_binary(graph, op) -> Layer:
    """float32 ADD, SUB, MUL → tg_add_f32 / tg_sub_f32 / tg_mul_f32: TFLM's reference float kernels (one float
    operation per element, then the clamp), operands broadcast."""
    a, b, y = require_float(graph, op, op.inputs[0], op.inputs[1], op.outputs[0])
    kernel = f"tg_{op.kind.lower()}_f32"
    shape, inplace = broadcast_walk(op, a, b, y, kernel)
    return Layer(op, "add/binary_f32.c.j2", kernel, (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                 FloatBinaryLayer(float_activation(op), shape), inplace=inplace,
                 summary=f"{op.kind} {list(a.shape)}, {list(b.shape)} (float32)")


def add_params(graph, op) -> AddParams:
    a, b, y = (graph.tensors[t] for t in (op.inputs[0], op.inputs[1], op.outputs[0]))
    twice_max_input_scale = 2 * max(a.scale, b.scale)
    m1, s1 = quantize_multiplier_smaller_than_one_exp(a.scale / twice_max_input_scale)
    m2, s2 = quantize_multiplier_smaller_than_one_exp(b.scale / twice_max_input_scale)
    left_shift = LEFT_SHIFT[y.dtype]
    mo, so = quantize_multiplier_smaller_than_one_exp(twice_max_input_scale / ((1 << left_shift) * y.scale))
    act = Activation(*activation_range(op.options.get("fused_activation_function", 0), y.scale, y.zero_point,
                                       *TYPE_RANGE[y.dtype]))
    return AddParams(-a.zero_point, m1, s1, -b.zero_point, m2, s2, left_shift, y.zero_point, mo, so, act)


def require_operands(graph, op) -> tuple:
    """ADD's, SUB's and MUL's operands and output: all int8, or all int16 (16x8)."""
    a, b, y = require_quantized(graph, op, ("int8", "int16"), op.inputs[0], op.inputs[1], op.outputs[0])
    require_per_tensor(op, a, b, y)
    if not a.dtype == b.dtype == y.dtype:
        raise TinygenError(f"{op.kind} (operator {op.index}) mixes {a.dtype}, {b.dtype} and {y.dtype}",
                           "convert with int8 (or 16x8) quantization throughout")
    return a, b, y


def lower(graph, op, ctx: LowerContext) -> Layer:
    if graph.tensors[op.inputs[0]].dtype == "float32":
        return lower_float_binary(graph, op)
    a, b, y = require_operands(graph, op)
    shape = Elementwise(y.size, *broadcast_nhwc(op, a, b, y))
    kernel = ("tg_broadcast_add_" if shape.broadcast else "tg_elementwise_add_") + TYPE_SUFFIX[y.dtype]
    how = f"{list(a.shape)} + {list(b.shape)}" if shape.broadcast else f"{y.size}"
    inplace = elementwise_inplace((kernel,), shape.dims1 == shape.dims_out,
                                  shape.dims2 == shape.dims_out)
    return Layer(op, "add/add.c.j2", kernel, (op.inputs[0], op.inputs[1]), (op.outputs[0],),
                 AddLayer(add_params(graph, op), shape), summary=f"ADD {how}", inplace=inplace)


def example(m, rng) -> bytes:
    """[1,4,4,3] + [1,1,1,3] (broadcast) and + [1,4,4,3] (elementwise), ReLU fused into the second."""
    x = m.tensor([1, 4, 4, 3], scale=0.05, zero_point=-3)
    c = m.tensor([1, 1, 1, 3], scale=0.02, zero_point=4, data=rng.integers(-128, 128, 3).astype("int8"))
    h = m.tensor([1, 4, 4, 3], scale=0.06, zero_point=1)
    m.op("ADD", [x, c], [h])
    y = m.tensor([1, 4, 4, 3], scale=0.09, zero_point=-128)
    m.op("ADD", [h, x], [y], fused_activation_function=1)
    return m.finish([x], [y])


OP = OpDef(kinds=("ADD",), arity={"ADD": Arity(2)}, options={"ADD": "AddOptions"}, lower=lower,
           fuses_activation=True, backends={"cmsis-nn": cmsis_nn.retarget}, types=("int8", "int16", "float32"),
           example=example, header="tg_add.h")
