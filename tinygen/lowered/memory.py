"""Less RAM than whole tensors, then one static arena: aliases, in-place decisions, placement.

Lowerings declare what their kernel allows (Layer.inplace, see ops.common.InPlace); this module decides where
it applies, because only the whole graph tells whether an input dies at a layer. A layer's output takes its
input's memory when the input is read by no later layer nor by another input of this layer, is not the user's
buffer (the generated invoke only reads it) and not a constant, and the layer still calls a kernel the
declaration names. In-place forms that run slower than the kernel they replace are kept only where they make
the arena smaller. Where each tensor lives is data (a Placement); emission turns it into C.

Variable tensors (an SVDF's activation state, a resource variable) are not arena memory: they keep their values from one invoke to
the next, so each gets its own place in a separate state region (State), which the generated `<name>_reset()`
sets to TFLM's initial value (see StateRegion).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .. import planner
from ..errors import TinygenError
from ..ir import CTYPES
from ..ops.common import Const, InPlace, Layer

# ---- where a tensor lives ----

@dataclass(frozen=True)
class Arena:
    offset: int


@dataclass(frozen=True)
class External:
    name: str  # the invoke parameter naming the caller's buffer ("input" and "output" for one of each)


@dataclass(frozen=True)
class Flash:
    const: Const


@dataclass(frozen=True)
class State:
    offset: int  # in the state region, which persists between invoke calls


Placement = Arena | External | Flash | State

STATE_ALIGN = 8  # every variable starts on an 8-byte boundary: any element type reads it aligned


@dataclass(frozen=True)
class StateRegion:
    """One variable tensor's bytes in the state region and the byte `<name>_reset()` fills them with: TFLM's
    ResetVariableTensors memsets an int8 variable to its zero point and every other type to 0."""
    tensor: int
    offset: int
    size: int
    fill: int
    # A resource variable's value before the first invoke (CALL_ONCE's init subgraph), as bytes, where it is
    # not `fill` throughout; `<name>_reset()` restores it.
    initial: bytes | None = None

    @property
    def initial_bytes(self) -> np.ndarray:
        return np.frombuffer(self.initial or b"", np.uint8)

    @property
    def starts_nonzero(self) -> bool:
        return bool(self.fill) or self.initial is not None


def _variables(lowered) -> dict[int, StateRegion]:
    """The variable tensors some layer reads, laid out one after another (the verifier has checked that only
    an operator declaring them state reads them)."""
    read = {t for layer in lowered.layers for t in layer.inputs}
    regions, offset = {}, 0
    for t in lowered.graph.tensors:
        if t.is_variable and t.index in read:
            fill = int(t.quant.zero_point[0]) & 0xFF if t.dtype == "int8" and t.quant is not None else 0
            initial = None if t.initial is None else np.ascontiguousarray(t.initial).tobytes()
            if initial is not None and initial == bytes([fill]) * len(initial):
                initial = None  # a memset restores it
            regions[t.index] = StateRegion(t.index, offset, t.nbytes, fill, initial)
            offset += -(-t.nbytes // STATE_ALIGN) * STATE_ALIGN
    return regions


# ---- buffer groups: aliases and in-place merges ----

class Groups:
    """Union-find over tensors: tensors in one group share one buffer."""

    def __init__(self, parent: dict[int, int] | None = None) -> None:
        self.parent: dict[int, int] = dict(parent or {})

    def copy(self) -> "Groups":
        return Groups(self.parent)

    def find(self, t: int) -> int:
        while self.parent.get(t, t) != t:
            t = self.parent[t]
        return t

    def join(self, member: int, root: int) -> None:
        """member's group joins root's group (root stays the representative)."""
        self.parent[self.find(member)] = self.find(root)


def _constants(lowered) -> dict[int, Flash]:
    """Constant tensors some layer reads or the model outputs, kept in flash as they are."""
    read = {t for layer in lowered.layers for t in layer.inputs} | lowered.outputs
    return {t.index: Flash(Const(f"tensor{t.index}", CTYPES[t.dtype], t.data)) for t in lowered.graph.tensors
            if t.is_const and t.index in read}


def _fixed(lowered, groups: Groups) -> set[int]:
    """Groups that are not arena memory: the user's input and output buffers and the variables (state)."""
    return {groups.find(t) for t, _ in lowered.io} | {
        groups.find(t.index) for t in lowered.graph.tensors if t.is_variable}


def resolve_aliases(lowered):
    """An aliasing layer's output joins its input's group, except where that would make one of the user's
    buffers (an input, another output) a model output's buffer (the generated code then copies)."""
    groups = Groups()
    layers = []
    outputs = lowered.outputs
    for layer in lowered.layers:
        if layer.alias:
            src, dst = layer.inputs[0], layer.outputs[0]
            if dst in outputs and groups.find(src) in {groups.find(t) for t, _ in lowered.io}:
                layer = layer.replace(alias=False)
            else:
                groups.join(dst, src)
        layers.append(layer)
    if len(lowered.io) == 2 and groups.find(lowered.input) == groups.find(lowered.output):
        raise TinygenError("the model only reshapes its input", "there is nothing to compile")
    return lowered.replace(layers=tuple(layers), aliases=groups)


def measure_whole(lowered):
    """The op-wise lower bound of the model as written (no fusion, no in-place execution): at each layer, every
    arena tensor alive then (writer to last reader) in full, plus the layer's scratch; the most over all layers."""
    group, consts = lowered.aliases.find, _constants(lowered)
    fixed = _fixed(lowered, lowered.aliases)
    span: dict[int, list[int]] = {}
    size: dict[int, int] = {}
    for i, layer in enumerate(lowered.layers):
        for t in layer.inputs + layer.outputs:
            if t in consts or group(t) in fixed:
                continue
            span.setdefault(group(t), [i, i])[1] = i
            size[group(t)] = max(size.get(group(t), 0), lowered.graph.tensors[t].nbytes)
    bound = max((sum(size[g] for g, (a, b) in span.items() if a <= i <= b) + layer.scratch_bytes
                 for i, layer in enumerate(lowered.layers)), default=0)
    return lowered.replace(whole_tensor_bound=bound)


@dataclass(frozen=True)
class MemoryPlan:
    buffers: dict[int, planner.Buffer]  # group → its buffer in the arena
    scratch: dict[int, planner.Buffer]  # layer → its scratch
    arena: int
    placements: dict[int, Placement]  # tensor → where it lives
    state: tuple[StateRegion, ...] = ()  # the variables, in the state region

    @property
    def all_buffers(self) -> list[planner.Buffer]:
        return list(self.buffers.values()) + list(self.scratch.values())


def plan_memory(lowered):
    """Place every buffer with every in-place form the graph allows, then give up those marked `slower` one by
    one (most MACs first) wherever that leaves the arena no larger; switch the layers to the forms kept."""
    consts = _constants(lowered)
    best = _plan(lowered, consts, frozenset())
    skip: frozenset[int] = frozenset()
    layers = lowered.layers
    for i in sorted((i for i, ip in best[0].items() if ip.slower), key=lambda i: -layers[i].macs):
        trial = _plan(lowered, consts, skip | {i})
        if trial[1].arena <= best[1].arena:
            best, skip = trial, skip | {i}
    chosen, plan = best
    planner.check(plan.all_buffers)
    layers = tuple(_apply(layer, chosen[i]) if i in chosen else layer for i, layer in enumerate(layers))
    return lowered.replace(layers=layers, plan=plan)


def _choose_inplace(lowered, groups: Groups, consts: dict[int, Flash], skip: frozenset[int]) -> dict[int, InPlace]:
    """Every in-place declaration the graph allows, in layer order (layers in `skip` excepted); joins the
    groups."""
    fixed = _fixed(lowered, groups)
    chosen = {}
    for i, layer in enumerate(lowered.layers):
        for ip in layer.inplace:
            if i not in skip and _allowed(lowered.layers, i, ip, groups, fixed, consts):
                chosen[i] = ip
                groups.join(layer.outputs[0], layer.inputs[ip.input])
                break
    return chosen


def _allowed(layers, i: int, ip: InPlace, groups: Groups, fixed: set[int], consts: dict[int, Flash]) -> bool:
    layer = layers[i]
    if layer.alias or layer.kernel not in ip.kernels:
        return False
    t_in, t_out = layer.inputs[ip.input], layer.outputs[0]
    g_in, g_out = groups.find(t_in), groups.find(t_out)
    if t_in in consts or g_in in fixed or g_out in fixed or g_in == g_out:
        return False
    if any(groups.find(t) == g_in for k, t in enumerate(layer.inputs) if k != ip.input):
        return False  # the layer reads the same memory through another input
    return not any(groups.find(t) == g_in for later in layers[i + 1:] for t in later.inputs)


def _plan(lowered, consts: dict[int, Flash], skip: frozenset[int]) -> tuple[dict[int, InPlace], MemoryPlan]:
    groups = lowered.aliases.copy()
    chosen = _choose_inplace(lowered, groups, consts, skip)
    fixed = _fixed(lowered, groups)
    graph = lowered.graph
    # One buffer per group; each tensor of it is a piece alive from its writer to its last reader.
    span: dict[int, list[int]] = {}
    for i, layer in enumerate(lowered.layers):
        for t in layer.inputs + layer.outputs:
            if t not in consts and groups.find(t) not in fixed:
                span.setdefault(t, [i, i])[1] = i
    buffers: dict[int, planner.Buffer] = {}
    for t, (first, last) in span.items():
        g, size = groups.find(t), graph.tensors[t].nbytes
        if g not in buffers:
            buffers[g] = planner.Buffer(f"tensor{g}", size, first, last, [t])
        else:
            buffers[g].add_piece(first, last, size, t)
    scratch = {}
    for i, layer in enumerate(lowered.layers):
        ip = chosen.get(i)
        size = ip.scratch_bytes if ip is not None and ip.kernel is not None else layer.scratch_bytes
        if size > 0:
            scratch[i] = planner.Buffer(f"scratch{i}", size, i, i)
    arena = planner.place(list(buffers.values()) + list(scratch.values()))
    externals: dict[int, External] = {}
    for t, name in lowered.io:  # an output that is also an input stays the input's (invoke copies it)
        externals.setdefault(groups.find(t), External(name))
    state = _variables(lowered)
    # A variable's group: the variable and the values read from it as aliases (READ_VARIABLE).
    state_groups = {groups.find(t): State(region.offset) for t, region in state.items()}
    placements: dict[int, Placement] = {}
    for t in graph.tensors:
        g = groups.find(t.index)
        if t.index in consts:
            placements[t.index] = consts[t.index]
        elif g in state_groups:
            placements[t.index] = state_groups[g]
        elif g in externals:
            placements[t.index] = externals[g]
        elif g in buffers:
            placements[t.index] = Arena(buffers[g].offset)
    return chosen, MemoryPlan(buffers, scratch, arena, placements, tuple(state.values()))


def _apply(layer: Layer, ip: InPlace) -> Layer:
    changes = dict(applied_inplace=ip)
    if ip.kernel is not None:
        changes.update(kernel=ip.kernel, scratch_bytes=ip.scratch_bytes)
    changes["consts"] = tuple(c for c in layer.consts if c.role not in ip.drop) + ip.consts
    return layer.replace(**changes)


