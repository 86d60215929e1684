"""read → graph passes → lower → lowered-program passes: a model becomes a Program the emitter can print."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from . import backends, lowered, ops, planner, validate
from .backends import Backend
from .errors import TinygenError
from .frontend.keras import is_keras_path, refuse_float_model
from .frontend.onnx import is_onnx_path
from .frontend.tflite import read_tflite
from .ir import Graph, Tensor
from .lowered.memory import Flash, Placement, StateRegion
from .ops.common import Const, Layer, LowerContext
from .passes import run_pipeline

# A model's input and output: int8 (or int16 with 16x8 quantization, or quantized int32 that a QUANTIZE
# converts) values, or floats it quantizes itself, or bools (a comparison's result, a condition), one byte each.
IO_DTYPES = ("int8", "int16", "int32", "float32", "uint8", "bool")

# Names a generated model may not take (compared in lower case, as file systems on macOS and Windows do): its
# files would collide with the harness's (main.c, Arduino.h) or the C library's headers (C99 and C11), its
# symbols and headers with tinygen's, CMSIS-NN's and ESP-IDF's.
C_HEADERS = {"assert", "complex", "ctype", "errno", "fenv", "float", "inttypes", "iso646", "limits", "locale", "math",
             "setjmp", "signal", "stdalign", "stdarg", "stdatomic", "stdbool", "stddef", "stdint", "stdio", "stdlib",
             "stdnoreturn", "string", "tgmath", "threads", "time", "uchar", "wchar", "wctype"}
RESERVED_NAMES = C_HEADERS | {"main", "arduino", "arduino_main", "tg", "arm", "cmsis", "esp", "tinygen"}
RESERVED_PREFIXES = ("tg_", "arm_", "cmsis_", "esp_", "tinygen_")


# Identifiers an invoke parameter may not take: C's keywords, and the names the generated invoke declares
# itself (its static buffers, the kernel calls' locals) or its macros derive from (<NAME>_ARENA_SIZE).
C_KEYWORDS = {"auto", "break", "case", "char", "const", "continue", "default", "do", "double", "else", "enum",
              "extern", "float", "for", "goto", "if", "inline", "int", "long", "register", "restrict", "return",
              "short", "signed", "sizeof", "static", "struct", "switch", "typedef", "union", "unsigned", "void",
              "volatile", "while", "bool", "true", "false", "asm", "class", "new", "delete", "this", "template",
              "operator", "private", "public", "protected", "virtual", "namespace", "using", "try", "catch",
              "throw", "friend", "mutable", "explicit", "export", "typename", "typeid", "noexcept", "nullptr"}
MAX_PARAMETER = 31  # characters of an invoke parameter's name: C99's significant length, and readable
RESERVED_PARAMETERS = C_KEYWORDS | {"arena", "state", "state_ready", "ctx", "out", "main", "count"}


@dataclass(frozen=True)
class Port:
    """One of the model's inputs or outputs as the C API shows it: a pointer parameter of invoke."""
    tensor: Tensor
    name: str  # C identifier of the parameter (lower case; its macros are <NAME>_<NAME OF IT>_...)
    key: str  # the name the user knows it by: the signature's, else the tensor's (the .npz key)


@dataclass(frozen=True, eq=False)
class Program:
    name: str  # C identifier prefix
    graph: Graph
    layers: tuple[Layer, ...]
    buffers: list[planner.Buffer]
    arena_size: int
    placements: dict[int, Placement]  # tensor → where its data lives
    input: Tensor
    output: Tensor
    backend: Backend
    lower_bound: int = 0
    scratch: dict[int, tuple[int, int]] = field(default_factory=dict)  # layer → (offset, bytes)
    whole_tensor_bound: int = 0  # op-wise lower bound before in-place execution (every tensor whole)
    state: tuple[StateRegion, ...] = ()  # variable tensors: RAM outside the arena that persists between invokes
    inputs: tuple[Port, ...] = ()  # every input, in the model's order; `input` is the first
    outputs: tuple[Port, ...] = ()

    @property
    def single_io(self) -> bool:
        """One input and one output: the C API keeps its original form (input, output, <NAME>_INPUT_SIZE...)."""
        return len(self.inputs) == 1 and len(self.outputs) == 1

    @property
    def state_size(self) -> int:
        return max((r.offset + r.size for r in self.state), default=0)

    @property
    def core(self) -> str:
        return self.backend.core

    def owned_consts(self) -> list[tuple[Layer | None, Const]]:
        """Every constant the model keeps in flash with the layer it belongs to (None: a constant tensor)."""
        return [(layer, c) for layer in self.layers for c in layer.consts] + \
            [(None, p.const) for _, p in sorted(self.placements.items()) if isinstance(p, Flash)]

    @property
    def consts(self) -> list[Const]:
        return [c for _, c in self.owned_consts()]


def c_identifier(name: str) -> str:
    """The C prefix of a model named `name`: lowercase identifier characters, never a reserved name."""
    ident = re.sub(r"[^0-9a-zA-Z_]", "_", name).strip("_").lower() or "model"
    if ident[0].isdigit():
        ident = "m_" + ident
    if ident in RESERVED_NAMES or ident.startswith(RESERVED_PREFIXES):
        ident = "model_" + ident
    return ident


def load_graph(path: Path) -> Graph:
    path = Path(path)
    if not path.exists():
        raise TinygenError(f"{path}: no such file", "check the model path")
    if is_keras_path(path) or is_onnx_path(path):
        raise TinygenError(f"{path} is a {'Keras' if is_keras_path(path) else 'float ONNX'} model: int8 quantization needs calibration data",
                           "pass --calibration calib.npy (CLI) or calibration=x (tinygen.compile): a few hundred "
                           "representative float input samples")
    graph = read_tflite(path)
    refuse_float_model(graph, path)
    return graph


def compile_model(path: Path, name: str | None = None, backend: str = "portable", core: str = "host") -> Program:
    graph = load_graph(path)
    return compile_graph(graph, c_identifier(name or graph.name), backend, core)


def parameter_names(keys: list[str]) -> list[str]:
    """Distinct lower-case C identifiers for invoke's parameters from the users' names of the tensors."""
    names: list[str] = []
    for key in keys:
        # A converter's tensor names join the fused operators' scopes ("a/b/conv/BiasAdd;a/b/..."): keep the
        # last two scopes of the first, without the serving signature's prefix and the ":0" suffix.
        short = "/".join(key.split(";")[0].split("/")[-2:])
        short = re.sub(r":\d+$", "", re.sub(r"^serving_default_", "", short))
        base = re.sub(r"_+", "_", re.sub(r"[^0-9a-z_]", "_", short.lower())).strip("_")[:MAX_PARAMETER] or "tensor"
        base = base.rstrip("_")
        if base[0].isdigit():
            base = "t_" + base
        if base in RESERVED_PARAMETERS or base.startswith(RESERVED_PREFIXES):
            base += "_"
        name, k = base, 2
        while name in names:
            name, k = f"{base}_{k}", k + 1
        names.append(name)
    return names


def model_ports(graph: Graph) -> tuple[tuple[Port, ...], tuple[Port, ...]]:
    """The model's inputs and outputs as invoke's parameters: `input` and `output` for a model with one of each
    (the API tinygen has always generated), else named after the signature's (or the tensors') names."""
    if len(graph.inputs) == 1 and len(graph.outputs) == 1:
        names = ["input", "output"]
    else:
        index = [t for t in graph.inputs + graph.outputs]
        names = parameter_names([graph.signature_names.get(t) or graph.tensors[t].name for t in index])
    ports = [Port(graph.tensors[t], name, graph.signature_names.get(t) or graph.tensors[t].name or name)
             for t, name in zip(graph.inputs + graph.outputs, names)]
    return tuple(ports[:len(graph.inputs)]), tuple(ports[len(graph.inputs):])


def _only_indices(graph: Graph, tensor: int) -> bool:
    """Whether every operator reading `tensor` reads it as run-time indices or not at all (OpDef.index_inputs,
    OpDef.unread_inputs)."""
    readers = [(op, k) for op in graph.ops for k, t in enumerate(op.inputs) if t == tensor]
    return bool(readers) and all(op.kind in ops.REGISTRY and k in ops.REGISTRY[op.kind].index_inputs +
                                 ops.REGISTRY[op.kind].unread_inputs for op, k in readers)


def _check_io(graph: Graph) -> tuple[Tensor, Tensor]:
    if not graph.inputs or not graph.outputs:
        raise TinygenError(f"the model has {len(graph.inputs)} inputs and {len(graph.outputs)} outputs",
                           "export a model with at least one input and one output")
    for role, listed in (("input", graph.inputs), ("output", graph.outputs)):
        if len(set(listed)) != len(listed):
            raise TinygenError(f"the model lists one tensor twice among its {role}s",
                               f"export each {role} once")
    if set(graph.outputs) <= set(graph.inputs):
        what = "input is its output" if len(graph.inputs) == len(graph.outputs) == 1 else "outputs are its inputs"
        raise TinygenError(f"the model's {what}", "there is nothing to compile")
    x, y = graph.tensors[graph.inputs[0]], graph.tensors[graph.outputs[0]]
    for role, t in [("input", graph.tensors[i]) for i in graph.inputs] + \
            [("output", graph.tensors[o]) for o in graph.outputs]:
        # An unquantized int32 output holds indices (ARG_MAX); an int32 input must be quantized (QUANTIZE's),
        # unless it holds indices or shapes: only operators' index inputs read it (GATHER_ND's, EMBEDDING_LOOKUP's)
        # or ones whose values are never read (TRANSPOSE_CONV's output shape).
        if t.dtype not in IO_DTYPES or (t.dtype == "int32" and t.quant is None and role == "input"
                                        and not _only_indices(graph, t.index)):
            name = f"'{t.name}'" if t.name else f"(tensor {t.index})"
            raise TinygenError(f"model {role} {name} is {t.dtype}" + (" (not quantized)" if t.quant is None
                                                                      and t.dtype == "int32" else ""),
                               "convert with int8, uint8, int16 (16x8 quantization), float32 or bool I/O")
    return x, y


def compile_graph(graph: Graph, name: str, backend: str = "portable", core: str = "host") -> Program:
    ops.require_lowerable(graph, known_only=True)  # e.g. an Ethos-U command stream: not a corrupted model
    validate.well_formed(graph)
    graph = run_pipeline(graph)
    ops.require_lowerable(graph)
    validate.verify(graph)
    x, y = _check_io(graph)
    ctx = LowerContext()
    layers = tuple(ops.lower(graph, op, ctx) for op in graph.ops)
    inputs, outputs = model_ports(graph)
    externals = tuple((p.tensor.index, p.name) for p in inputs + outputs)
    result = lowered.run(lowered.Lowered(graph, layers, x.index, y.index, backends.get(backend, core),
                                         externals=externals))
    plan = result.plan
    return Program(name, graph, result.layers, plan.all_buffers, plan.arena, plan.placements, x, y,
                   result.backend, planner.lower_bound(plan.all_buffers, len(result.layers)),
                   {i: (b.offset, b.size) for i, b in plan.scratch.items()}, result.whole_tensor_bound, plan.state,
                   inputs, outputs)
