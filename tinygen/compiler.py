"""read → passes → lower → plan: a model becomes a Program the code generator can print."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import inplace, ops, planner, validate
from .errors import TinygenError
from .frontend.keras import is_keras_path, refuse_float_model
from .frontend.tflite import read_tflite
from .ir import CTYPES, Graph, Tensor
from .ops import ConstArray, Layer, LowerContext
from .passes import run_pipeline


@dataclass
class Program:
    name: str  # C identifier prefix
    graph: Graph
    layers: list[Layer]
    consts: list[ConstArray]
    buffers: list[planner.Buffer]
    arena_size: int
    pointers: dict[int, str]  # tensor → C expression of its data
    input: Tensor
    output: Tensor
    lower_bound: int = 0
    scratch: dict[int, tuple[int, int]] = field(default_factory=dict)  # layer → (offset, bytes)
    backend: str = "portable"  # kernel library: "portable" (tinygen's) or "cmsis-nn"
    core: str = "host"  # CPU the core-dependent sizes (CMSIS-NN scratch) were computed for
    whole_tensor_bound: int = 0  # op-wise lower bound before in-place execution (every tensor whole)

    @property
    def cmsis_nn_arch(self) -> str:
        """CMSIS-NN's code path on `core` ("mve", "dsp", "c"): the generated model checks it at compile time."""
        from .cmsis_nn import arch

        return arch(self.core)


def c_identifier(name: str) -> str:
    ident = re.sub(r"[^0-9a-zA-Z_]", "_", name).strip("_").lower() or "model"
    return "m_" + ident if ident[0].isdigit() else ident


def load_graph(path: Path) -> Graph:
    path = Path(path)
    if not path.exists():
        raise TinygenError(f"{path}: no such file", "check the model path")
    if is_keras_path(path):
        raise TinygenError(f"{path} is a Keras model: int8 quantization needs calibration data",
                           "pass --calibration calib.npy (CLI) or calibration=x (tinygen.compile): a few hundred "
                           "representative float input samples")
    graph = read_tflite(path)
    refuse_float_model(graph, path)
    return graph


def compile_model(path: Path, name: str | None = None, backend: str = "portable", core: str = "host") -> Program:
    graph = load_graph(path)
    return compile_graph(graph, c_identifier(name or graph.name), backend, core)


def _check_io(graph: Graph) -> tuple[Tensor, Tensor]:
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        raise TinygenError(f"the model has {len(graph.inputs)} inputs and {len(graph.outputs)} outputs; "
                           "tinygen compiles single-input, single-output models", "export one input and one output")
    x, y = graph.tensors[graph.inputs[0]], graph.tensors[graph.outputs[0]]
    for t in (x, y):
        if t.dtype not in ("int8", "float32"):
            raise TinygenError(f"model input/output '{t.name}' is {t.dtype}", "convert with int8 or float32 I/O")
    if x.index == y.index:
        raise TinygenError("the model's input is its output", "there is nothing to compile")
    return x, y


def compile_graph(graph: Graph, name: str, backend: str = "portable", core: str = "host") -> Program:
    validate.well_formed(graph)
    graph = run_pipeline(graph)
    missing = ops.unsupported(graph)
    if missing:
        raise TinygenError(f"unsupported operators: {', '.join(missing)}",
                           f"tinygen supports {', '.join(sorted(ops.OPS))}")
    validate.verify(graph)
    x, y = _check_io(graph)
    ctx = LowerContext(prefix=name, backend=backend, core=core)
    layers = [ops.lower(graph, op, ctx) for op in graph.ops]

    # Buffer groups: an aliasing layer's output shares its input's memory.
    groups = inplace.Groups()
    for layer in layers:
        if layer.alias:
            src, dst = layer.inputs[0], layer.outputs[0]
            if groups.find(src) == x.index and dst == y.index:
                layer.alias = False  # the user's input and output buffers are distinct: copy
            else:
                groups.join(dst, src)
    group = groups.find

    const_tensors = {t.index for t in graph.tensors
                     if t.is_const and any(t.index in layer.inputs for layer in layers)}
    externals = {group(x.index): "input", group(y.index): "output"}
    if group(x.index) == group(y.index):
        raise TinygenError("the model only reshapes its input", "there is nothing to compile")
    whole_tensor_bound = _whole_tensor_bound(graph, layers, group, set(externals), const_tensors)
    # Then less than whole tensors: residual ADDs into their convolutions, outputs over inputs that die (this
    # switches those layers to their in-place kernels and scratch), and the arena plan.
    layers = inplace.fuse_residual_adds(graph, layers)
    plan = inplace.plan_memory(graph, layers, groups, set(externals), const_tensors)
    group = plan.groups.find

    consts = [c for layer in layers for c in layer.consts]
    pointers: dict[int, str] = {}
    for t in sorted(const_tensors):
        arr = ConstArray(f"{name}_tensor{t}", CTYPES[graph.tensors[t].dtype], graph.tensors[t].data)
        consts.append(arr)
        pointers[t] = arr.name

    for t in graph.tensors:
        if t.index in pointers:
            continue
        g = group(t.index)
        if g in externals:
            pointers[t.index] = externals[g]
        elif g in plan.buffers:
            off = plan.buffers[g].offset
            ctype = CTYPES[t.dtype]
            pointers[t.index] = f"(arena + {off})" if ctype == "int8_t" else f"(({ctype} *)(void *)(arena + {off}))"
    return Program(name, graph, layers, consts, plan.all_buffers, plan.arena, pointers, x, y,
                   planner.lower_bound(plan.all_buffers, len(layers)),
                   {i: (b.offset, b.size) for i, b in plan.scratch.items()}, backend, core, whole_tensor_bound)


def _whole_tensor_bound(graph: Graph, layers: list[Layer], group, fixed: set[int], consts: set[int]) -> int:
    """The op-wise lower bound of the model as written (no fusion, no in-place execution): at each layer, every
    arena tensor alive then (writer to last reader) in full, plus the layer's scratch; the most over all layers."""
    span: dict[int, list[int]] = {}
    size: dict[int, int] = {}
    for i, layer in enumerate(layers):
        for t in layer.inputs + layer.outputs:
            if t in consts or group(t) in fixed:
                continue
            span.setdefault(group(t), [i, i])[1] = i
            size[group(t)] = max(size.get(group(t), 0), graph.tensors[t].nbytes)
    return max((sum(size[g] for g, (a, b) in span.items() if a <= i <= b) + layer.scratch_bytes
                for i, layer in enumerate(layers)), default=0)
