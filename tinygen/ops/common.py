"""What every operator folder builds on: the lowered layer, its constants and in-place forms, shared checks.

A lowering (each folder's `lower(graph, op, ctx)`) checks that tinygen can run the operator exactly (raising
TinygenError otherwise), precomputes everything TFLM's Prepare would, and returns a Layer: the portable kernel it
calls, a frozen parameter object its template reads, and its constants tagged by role. Nothing here knows a
backend or a C name: backends swap kernels in a later pass, and emission names constants and places tensors.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import TinygenError
from ..ir import Graph, Op, Tensor


@dataclass(frozen=True)
class RequantizeParams:
    """An elementwise int8 → int8 map with one rescale (QUANTIZE's requantization, ABS)."""
    size: int
    input_zero_point: int
    mult: int
    shift: int
    output_zero_point: int


@dataclass(frozen=True, eq=False)
class Const:
    """A constant the generated C keeps in flash; `role` says what the kernel reads it as ("weights", "bias")."""
    role: str
    ctype: str
    values: np.ndarray

    @property
    def nbytes(self) -> int:
        return int(self.values.nbytes)


@dataclass(frozen=True)
class InPlace:
    """A layer's declaration that its output may take over the memory of one input.

    The memory pass merges the two buffers only where the input dies at this layer and is neither the user's
    input buffer nor a constant, and only while the layer still calls one of `kernels` (a backend may have
    swapped the kernel for one that is not safe in place). Merging switches the layer to its in-place form:
    `kernel` (None: the same kernel is safe as is), its scratch and flash constants. The lowering declaring
    this has checked that the kernel's access order makes it exact.
    """
    input: int  # position in Layer.inputs
    kernels: tuple[str, ...]  # the kernels this holds for
    kernel: str | None = None
    scratch_bytes: int = 0
    consts: tuple[Const, ...] = ()
    drop: tuple[str, ...] = ()  # roles of constants the in-place form no longer reads
    slower: bool = False  # runs slower than the kernel it replaces: used only where it shrinks the arena


@dataclass(frozen=True, eq=False)
class Layer:
    """One operator, lowered: the kernel call its template emits. Passes derive new layers with `replace`."""
    op: Op
    template: str  # "<folder>/<name>.c.j2" under tinygen/ops
    kernel: str  # the C function called (an alias calls none unless the memory plan makes it copy)
    inputs: tuple[int, ...]  # activation tensors the kernel reads
    outputs: tuple[int, ...]  # tensors it writes
    params: Any  # the operator's frozen parameter object
    consts: tuple[Const, ...] = ()
    scratch_bytes: int = 0
    macs: int = 0
    summary: str = ""
    alias: bool = False  # output shares its input's memory (no code emitted)
    inplace: tuple[InPlace, ...] = ()  # forms that may overwrite an input, preferred first (declared)
    fused: tuple[Op, ...] = ()  # further operators this layer's kernel call computes
    applied_inplace: InPlace | None = None  # the one of them the memory pass applied
    # A template of a static C function the call (template) makes, emitted once before invoke for all layers
    # whose function reads the same (a specialised kernel per configuration); None: the call needs none.
    definition: str | None = None

    def const(self, role: str) -> Const:
        return next(c for c in self.consts if c.role == role)

    def has_const(self, role: str) -> bool:
        return any(c.role == role for c in self.consts)

    def replace(self, **changes) -> "Layer":
        return dataclasses.replace(self, **changes)


@dataclass(frozen=True)
class LowerContext:
    """What a lowering may know of the build: for now nothing (not the backend, the target nor C names)."""


def const(role: str, ctype: str, values) -> Const:
    values = np.ascontiguousarray(values)
    values.flags.writeable = False
    return Const(role, ctype, values)


# ---- checks and shapes shared by the lowerings ----

def nhwc(shape) -> tuple[int, int, int, int]:
    """A shape of rank ≤ 4 as (n, h, w, c), leading dimensions padded with 1."""
    shape = tuple(int(d) for d in shape)
    if len(shape) > 4:
        raise TinygenError(f"a tensor of rank {len(shape)} is not supported", "use tensors of rank 4 or less")
    return (1,) * (4 - len(shape)) + shape


def require_int8(graph: Graph, op: Op, *tensors: int) -> list[Tensor]:
    return require_quantized(graph, op, ("int8",), *tensors)


def require_quantized(graph: Graph, op: Op, dtypes: tuple[str, ...], *tensors: int) -> list[Tensor]:
    """The tensors, each quantized and of one of `dtypes` ("int8", "int16" where the lowering has the 16x8
    form), or a refusal naming the first that is not."""
    compiles = "int8-quantized operators" if dtypes == ("int8",) else f"{op.kind} on {' or '.join(dtypes)} tensors"
    out = []
    for t in tensors:
        tensor = graph.tensors[t]
        if tensor.dtype not in dtypes or tensor.quant is None:
            raise TinygenError(f"{op.kind} (operator {op.index}) has {tensor.dtype} tensor '{tensor.name}'; "
                               f"tinygen compiles {compiles}", "convert with full-integer int8 quantization")
        out.append(tensor)
    return out


def require_float(graph: Graph, op: Op, *tensors: int) -> list[Tensor]:
    """The tensors of a float32 operator, each float32 and unquantized, or a refusal naming the first that is not
    (float activations beside int8 weights are dynamic-range quantization, which TFLM does not run)."""
    if not any(graph.tensors[t].dtype == "float32" for t in op.inputs + op.outputs if t >= 0):
        x = graph.tensors[op.inputs[0]]
        raise TinygenError(f"{op.kind} (operator {op.index}) has {x.dtype} tensor '{x.name}'; tinygen compiles "
                           f"{op.kind} on float32 only, as TFLite Micro runs it", "keep the operator in float32")
    out = []
    for t in tensors:
        tensor = graph.tensors[t]
        if tensor.dtype != "float32" or tensor.quant is not None:
            what = f"{'quantized ' if tensor.quant is not None else ''}{tensor.dtype}"
            raise TinygenError(f"{op.kind} (operator {op.index}) mixes float32 with {what} tensor '{tensor.name}'",
                               "convert with full-integer int8 quantization, or keep the operator all float32")
        out.append(tensor)
    return out


# Kernel name suffixes of the quantized types (TFLM's and CMSIS-NN's s8 / s16).
TYPE_SUFFIX = {"int8": "s8", "int16": "s16", "int32": "s32", "uint8": "u8", "float32": "f32"}


def require_same_type(op: Op, x: Tensor, y: Tensor,
                      fix: str = "the model file is inconsistent; re-export it") -> None:
    """Input and output of one element type: refuse a model whose operator reads one type and writes another."""
    if x.dtype != y.dtype:
        raise TinygenError(f"{op.kind} (operator {op.index}) reads {x.dtype} and writes {y.dtype}", fix)


def require_copied(graph: Graph, op: Op, quantized: tuple[str, ...], *tensors: int) -> list[Tensor]:
    """The tensors of an operator that copies elements unchanged (TRANSPOSE, SLICE, SPLIT, PACK, ...): all float32
    and unquantized (require_float), or all quantized of one of the `quantized` types (with float32, the types
    TFLM's kernel takes)."""
    x = graph.tensors[tensors[0]]
    if x.dtype == "float32":
        return require_float(graph, op, *tensors)
    if x.dtype not in quantized:
        raise TinygenError(f"{op.kind} (operator {op.index}) has {x.dtype} tensor '{x.name}'; tinygen compiles "
                           f"{op.kind} on {', '.join(quantized + ('float32',))} tensors, the types TFLite Micro's "
                           "kernel takes", "convert with full-integer int8 quantization")
    out = require_quantized(graph, op, quantized, *tensors)
    for tensor in out[1:]:
        require_same_type(op, out[0], tensor)
    return out


def require_same_quantization(op: Op, x: Tensor, y: Tensor,
                              fix: str = "convert with the TFLite converter, which quantizes both alike") -> None:
    """Data movement copies bytes: refuse an input quantized unlike the output (its values would change)."""
    if x.quant is None and y.quant is None:
        return
    if (x.quant is None or y.quant is None or np.float64(x.scale) != np.float64(y.scale)
            or x.zero_point != y.zero_point):
        def q(t: Tensor) -> str:
            return "not quantized" if t.quant is None else f"scale {t.scale}, zero point {t.zero_point}"
        raise TinygenError(f"{op.kind} (operator {op.index}) reads '{x.name}' ({q(x)}) quantized unlike its "
                           f"output ({q(y)}); it only moves bytes", fix)


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


@dataclass(frozen=True)
class BroadcastLoop:
    """How a broadcasting elementwise kernel walks its operands: each operand's (n, h, w, c) dims, then the
    output's, and an outermost dimension the generated code loops over when a fifth does not merge
    (broadcast.j2): `outer` steps, operand k (then the output) advancing `strides[k]` elements per step."""
    dims: tuple[tuple[int, int, int, int], ...]
    outer: int = 1
    strides: tuple[int, ...] = ()

    @property
    def flat(self) -> bool:
        """No operand broadcasts: one flat run."""
        return self.outer == 1 and len(set(self.dims)) == 1

    def same_as_output(self, k: int) -> bool:
        """Operand k is read at the output's flat positions (it may be overwritten in place)."""
        return self.dims[k] == self.dims[-1] and (self.outer == 1 or self.strides[k] == self.strides[-1])


def broadcast_loop(op: Op, operands, y: Tensor) -> BroadcastLoop:
    """The walk of an elementwise operator that broadcasts `operands` together into y (numpy rules, as TFLM's
    BroadcastBinaryOpSimple and BroadcastSelect5DSlow), after checking that y is their broadcast. Adjacent
    dimensions along which every operand alike runs or repeats merge (equal shapes become one flat run); up to
    five dimensions remain, the fifth the generated code's loop."""
    shapes = [tuple(int(d) for d in t.shape) for t in operands]
    out = tuple(int(d) for d in y.shape)
    if math.prod(out) == 1 and all(math.prod(s) == 1 for s in shapes):  # scalars of any rank (TFLM's mixed case)
        return BroadcastLoop(((1, 1, 1, 1),) * (len(shapes) + 1))
    try:
        expected = tuple(int(d) for d in np.broadcast_shapes(*shapes))
    except ValueError:
        expected = None
    if expected != out:
        raise TinygenError(f"{op.kind} (operator {op.index}) combines {', '.join(str(list(s)) for s in shapes)} "
                           f"into {list(out)}", "the model file is inconsistent; re-export it")
    padded = [(1,) * (len(out) - len(s)) + s for s in shapes]
    groups: list[tuple[int, tuple[bool, ...]]] = []  # (size, whether each operand, then the output, runs along it)
    for axis, size in enumerate(out):
        if size == 1:
            continue
        runs = tuple(s[axis] == size for s in padded) + (True,)
        if groups and groups[-1][1] == runs:
            groups[-1] = (groups[-1][0] * size, runs)
        else:
            groups.append((size, runs))
    if len(groups) > 5:
        raise TinygenError(f"{op.kind} (operator {op.index}) broadcasts {', '.join(str(list(s)) for s in shapes)} "
                           f"into {list(out)}, {len(groups)} dimensions that do not merge; tinygen walks 5",
                           "reshape the operands so that at most 5 dimensions broadcast differently")
    outer, outer_runs = groups.pop(0) if len(groups) == 5 else (1, ())
    groups = [(1, (True,) * (len(shapes) + 1))] * (4 - len(groups)) + groups
    dims = tuple(tuple(size if runs[k] else 1 for size, runs in groups) for k in range(len(shapes) + 1))
    strides = tuple(math.prod(d) if run else 0 for d, run in zip(dims, outer_runs))
    return BroadcastLoop(dims, outer, strides)


def elementwise_inplace(kernels: tuple[str, ...], *same_shape: bool) -> tuple[InPlace, ...]:
    """In-place declarations of an elementwise kernel that reads element i of each input just before it writes
    element i of the output: any input with the output's shape and element size may be overwritten
    (same_shape[k] for input k)."""
    return tuple(InPlace(k, kernels) for k, same in enumerate(same_shape) if same)


def raster_safe(geo) -> bool:
    """Whether a channelwise window kernel may write its output over its input with no scratch.

    The kernel (tg_depthwise_conv_s8 with multiplier 1, tg_avgpool_s8, tg_max_pool_s8) visits output pixels q
    in raster order (batch, row, column) and, per channel c, reads the window of (q, c) before it writes
    (q, c). In place, (q, c) lands on input pixel q, channel c (input and output have the same channel count),
    and only channel c of a later pixel ever reads it. So the order is safe iff no later output pixel's
    window reaches back to input pixel q: q < min over q' > q of the first input pixel q' reads. A window
    starting at row iy0, column ix0 reads no pixel before max(iy0, 0) * in_w + max(ix0, 0) (clipped taps
    read nothing), a lower bound: the test is conservative. Stride-1 windows with padding fail (pixel q+1
    reads pixel q); VALID stride-1 windows and most stride >= 2 windows pass.
    """
    n, ih, iw, oh, ow = geo.n, geo.in_h, geo.in_w, geo.out_h, geo.out_w
    if n * oh * ow > n * ih * iw:
        return False
    b, oy, ox = np.meshgrid(np.arange(n), np.arange(oh), np.arange(ow), indexing="ij")
    iy = np.clip(oy * geo.stride_h - geo.pad_h, 0, ih - 1)
    ix = np.clip(ox * geo.stride_w - geo.pad_w, 0, iw - 1)
    first_read = (b * ih * iw + iy * iw + ix).reshape(-1).astype(np.int64)
    # later[q] = min of first_read[q + 1:], the last pixel has no later reader.
    later = np.minimum.accumulate(first_read[::-1])[::-1]
    later = np.append(later[1:], np.iinfo(np.int64).max)
    return bool(np.all(np.arange(len(first_read)) < later))


@dataclass(frozen=True)
class Activation:
    """The clamp of a fused activation, in output units."""
    min: int
    max: int


@dataclass(frozen=True)
class FloatActivation:
    """The clamp of a fused activation in a float kernel (quant.float_activation_range)."""
    min: float
    max: float


def float_activation(op: Op) -> FloatActivation:
    """The clamp of a float operator's fused activation (TFLM's CalculateActivationRange<float>)."""
    from ..quant import float_activation_range

    return FloatActivation(*float_activation_range(op.options.get("fused_activation_function", 0),
                                                   f"{op.kind} (operator {op.index})"))


@dataclass(frozen=True)
class ElementwiseParams:
    """The element count of a kernel(input, size, output) (templates/elementwise.c.j2)."""
    size: int


def lower_float_elementwise(graph: Graph, op: Op, ctx: LowerContext | None = None) -> Layer:
    """A float32 operator computing each output from its input value alone → tg_<kind>_f32(input, size,
    output), in place where the memory plan allows (float_unary's kinds, and LOGISTIC, TANH, RELU, RELU6)."""
    x, y = require_float(graph, op, op.inputs[0], op.outputs[0])
    if x.size != y.size:
        raise TinygenError(f"{op.kind} (operator {op.index}) maps {list(x.shape)} to {list(y.shape)}",
                           "the model file is corrupted; re-export it")
    kernel = f"tg_{op.kind.lower()}_f32"
    return Layer(op, "elementwise.c.j2", kernel, (op.inputs[0],), (op.outputs[0],),
                 ElementwiseParams(x.size), summary=f"{op.kind} {list(x.shape)} (float32)",
                 inplace=elementwise_inplace((kernel,), True))


def float_weights(graph: Graph, op: Op, w: Tensor, channels: int, bias_input: int = 2) -> tuple[Const, ...]:
    """The float32 weights and (optional) bias of a float FULLY_CONNECTED or convolution, checked constant."""
    if not w.is_const:
        raise TinygenError(f"{op.kind} (operator {op.index}) has non-constant weights",
                           "tinygen compiles models whose weights are constants")
    consts = [const("weights", "float", w.data.astype(np.float32))]
    if len(op.inputs) > bias_input and op.inputs[bias_input] >= 0:
        (b,) = require_float(graph, op, op.inputs[bias_input])
        if not b.is_const or b.size != channels:
            raise TinygenError(f"{op.kind} (operator {op.index}) bias must be {channels} constant float32 values",
                               "export the bias as a constant")
        consts.append(const("bias", "float", b.data.astype(np.float32).reshape(-1)))
    return tuple(consts)


# ---- the registry's entry: one per operator folder (ops/__init__.py collects them) ----

@dataclass(frozen=True)
class Arity:
    inputs: int  # required
    optional: int | None = 0  # optional trailing inputs (None: any number)
    outputs: int | None = 1  # None: one or more (SPLIT, UNPACK)


@dataclass(frozen=True)
class OpDef:
    """Everything the compiler's tables need to know of one operator (one or more TFLite builtin kinds)."""
    kinds: tuple[str, ...]
    arity: dict[str, Arity]  # per kind
    options: dict[str, str | None]  # kind → schema builtin-options table (None: the operator takes none)
    lower: Callable[[Graph, Op, LowerContext], Layer] | None = None  # None: only folded at compile time
    # The tensor types its lowering compiles ("int8"; "float32->int8" where input and output differ), as its
    # require_* checks accept them; a fold-only operator compiles none (it folds constants of any type).
    types: tuple[str, ...] = ("int8",)
    fold: Callable | None = None  # (graph, op, constant inputs) → the output's value, or None if it cannot
    fold_changes_type: bool = False  # folding may give another type (CAST, SHAPE); elsewhere TFLM refuses that
    fold_reads_shapes: bool = False  # folds from its inputs' shapes alone (SHAPE): they need not be constant
    same_shape: bool = False  # the output has exactly input 0's shape (the verifier checks it)
    weights_axis: int | None = None  # input 1 is weights; this axis indexes output channels (accumulator check)
    bias_input: int = 2  # with weights: the input that is the optional bias
    data_input: int = 0  # with weights: the input that is the activation (TRANSPOSE_CONV's is 2)
    fuses_activation: bool = False  # a standalone RELU/RELU6 after it may become its fused activation
    # Input positions of variable tensors the operator reads and updates in place (an SVDF's activation state):
    # the only places a variable may appear; they live in the state region (lowered/memory.py).
    state_inputs: tuple[int, ...] = ()
    # Its state inputs may be shared with other operators of the same OpDef (a resource variable's READ and
    # ASSIGN operators); otherwise a variable belongs to exactly one operator.
    shares_state: bool = False
    # Input positions that read unquantized int32 indices at run time (GATHER_ND's, EMBEDDING_LOOKUP's ids): a
    # model input read only there may be an unquantized int32 tensor.
    index_inputs: tuple[int, ...] = ()
    # Input positions whose values the kernel never reads (TRANSPOSE_CONV's output shape: TFLM takes the output
    # tensor's shape instead): a model input read only there may be an unquantized int32 tensor, taken and ignored.
    unread_inputs: tuple[int, ...] = ()
    # backend name → (layer, the backend's code path) → the backend's form of the layer, or None to keep it
    backends: dict[str, Callable[[Layer, str], Layer | None]] = field(default_factory=dict)
    example: Callable | None = None  # (builder, rng) → .tflite bytes of a small model using the operator
    header: str | None = None  # the portable kernels' header the generated model includes
    folder: Path | None = None  # set by the registry

    @property
    def name(self) -> str:
        return self.folder.name if self.folder else self.kinds[0].lower()

    @property
    def float_kernel(self) -> bool:
        """Its lowering compiles float32 tensors (a float32 input or output among its types: "int8 → float32")."""
        return self.lower is not None and any("float32" in t for t in self.types)
