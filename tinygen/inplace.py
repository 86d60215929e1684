"""Less RAM than whole tensors: outputs written over inputs that die, and residual ADDs fused into convolutions.

Lowerings declare what their kernel allows (Layer.inplace, see ops.InPlace); this module decides where it
applies, because only the whole graph tells whether an input dies at a layer:

- `fuse_residual_adds`: an elementwise ADD of a convolution's output and an earlier tensor becomes an epilogue
  of the convolution (tg_convolve_add_s8): each output element is the ADD of the requantized conv value and the
  residual element, so the conv's output tensor never exists. The residual may then be overwritten in place.
  Same arithmetic in the same order as the two operators: bit-exact by construction.
- `plan_memory`: a layer's output takes its input's memory when the input is read by no later layer nor by
  another input of this layer, is not the user's buffer (the generated invoke only reads it) and not a
  constant, and the layer still calls a kernel the declaration names. In-place forms that run slower than the
  kernel they replace are kept only where they make the arena smaller.
- `raster_safe`: the access-order proof lowerings use for channelwise window kernels (depthwise conv, pooling).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from . import planner
from .ir import Graph
from .ops import InPlace, Layer


def raster_safe(geo: dict) -> bool:
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
    n, ih, iw, oh, ow = geo["n"], geo["in_h"], geo["in_w"], geo["out_h"], geo["out_w"]
    if n * oh * ow > n * ih * iw:
        return False
    b, oy, ox = np.meshgrid(np.arange(n), np.arange(oh), np.arange(ow), indexing="ij")
    iy = np.clip(oy * geo["stride_h"] - geo["pad_h"], 0, ih - 1)
    ix = np.clip(ox * geo["stride_w"] - geo["pad_w"], 0, iw - 1)
    first_read = (b * ih * iw + iy * iw + ix).reshape(-1).astype(np.int64)
    # later[q] = min of first_read[q + 1:], the last pixel has no later reader.
    later = np.minimum.accumulate(first_read[::-1])[::-1]
    later = np.append(later[1:], np.iinfo(np.int64).max)
    return bool(np.all(np.arange(len(first_read)) < later))


# ---- residual ADD fused into the convolution that produces one operand ----

def fuse_residual_adds(graph: Graph, layers: list[Layer]) -> list[Layer]:
    """Fold each elementwise ADD(conv output, other) into the conv's kernel call; returns the new layer list.

    Conditions: the conv runs tinygen's tg_convolve_s8, the ADD tg_elementwise_add_s8 (same shapes, no
    broadcasting), the conv's output is read by the ADD alone and is no model output, and `other` exists
    when the conv runs. Of two conv operands the later one is fused (the earlier one's output is ready).
    """
    producer = {t: i for i, layer in enumerate(layers) for t in layer.outputs}
    readers = Counter(t for layer in layers for t in set(layer.inputs))
    removed: set[int] = set()
    for j, add in enumerate(layers):
        if add.template != "add" or add.params.get("kernel") != "tg_elementwise_add_s8":
            continue
        best = None
        for k in (0, 1):
            a, other = add.inputs[k], add.inputs[1 - k]
            i = producer.get(a)
            if i is None or a == other or readers[a] != 1 or a in graph.outputs:
                continue
            conv = layers[i]
            if conv.template != "conv2d" or conv.params.get("kernel") != "tg_convolve_s8" or conv.fused:
                continue
            if producer.get(other, -1) >= i:
                continue
            if best is None or i > best[0]:
                best = (i, k)
        if best is None:
            continue
        i, k = best
        _fuse(layers[i], add, k)
        producer[add.outputs[0]] = i
        removed.add(j)
    return [layer for j, layer in enumerate(layers) if j not in removed]


def _fuse(conv: Layer, add: Layer, k: int) -> None:
    """conv becomes conv + ADD; the conv's value is ADD input k: it becomes input 1 of tg_add_params (the sum
    of the two rescaled operands is an integer addition, so the order of the operands does not matter)."""
    p = add.params
    one, two = ("in1", "in2") if k == 0 else ("in2", "in1")
    conv.params.update(
        kernel="tg_convolve_add_s8", residual=True,
        add_in1_offset=p[f"{one}_offset"], add_in1_mult=p[f"{one}_mult"], add_in1_shift=p[f"{one}_shift"],
        add_in2_offset=p[f"{two}_offset"], add_in2_mult=p[f"{two}_mult"], add_in2_shift=p[f"{two}_shift"],
        add_left_shift=p["left_shift"], add_out_offset=p["out_offset"], add_out_mult=p["out_mult"],
        add_out_shift=p["out_shift"], add_act_min=p["act_min"], add_act_max=p["act_max"])
    conv.inputs = [conv.inputs[0], add.inputs[1 - k]]
    conv.outputs = list(add.outputs)
    conv.fused = conv.fused + [add.op] + add.fused
    conv.macs += add.macs
    conv.summary += f" + ADD (operator {add.op.index})"
    # Element (q, c) of the residual is read only to compute output element (q, c): any order is safe.
    conv.inplace = [InPlace(1, ("tg_convolve_add_s8",))]


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

    def choose_inplace(self, layers: list[Layer], fixed: set[int], consts: set[int],
                       skip: frozenset[int] = frozenset()) -> dict[int, InPlace]:
        """Every in-place declaration the graph allows, in layer order (layers in `skip` excepted); joins the
        groups. fixed: groups that are not arena memory (the user's input and output buffers)."""
        chosen = {}
        for i, layer in enumerate(layers):
            for ip in layer.inplace:
                if i not in skip and self._allowed(layers, i, ip, fixed, consts):
                    chosen[i] = ip
                    self.join(layer.outputs[0], layer.inputs[ip.input])
                    break
        return chosen

    def _allowed(self, layers: list[Layer], i: int, ip: InPlace, fixed: set[int], consts: set[int]) -> bool:
        layer = layers[i]
        if layer.alias or layer.params.get("kernel") not in ip.kernels:
            return False
        t_in, t_out = layer.inputs[ip.input], layer.outputs[0]
        g_in, g_out = self.find(t_in), self.find(t_out)
        if t_in in consts or g_in in fixed or g_out in fixed or g_in == g_out:
            return False
        if any(self.find(t) == g_in for k, t in enumerate(layer.inputs) if k != ip.input):
            return False  # the layer reads the same memory through another input
        return not any(self.find(t) == g_in for later in layers[i + 1:] for t in later.inputs)


@dataclass
class Plan:
    groups: Groups  # aliases and in-place merges
    chosen: dict[int, InPlace]  # layer → the in-place form it runs
    buffers: dict[int, planner.Buffer]  # group → its buffer in the arena
    scratch: dict[int, planner.Buffer]  # layer → its scratch
    arena: int

    @property
    def all_buffers(self) -> list[planner.Buffer]:
        return list(self.buffers.values()) + list(self.scratch.values())


def plan_memory(graph: Graph, layers: list[Layer], aliases: Groups, fixed: set[int], consts: set[int]) -> Plan:
    """Place every buffer with every in-place form the graph allows, then give up those marked `slower` one by
    one (most MACs first) wherever that leaves the arena no larger; switch the layers to the forms kept."""
    best = _plan(graph, layers, aliases, fixed, consts, frozenset())
    skip: frozenset[int] = frozenset()
    for i in sorted((i for i, ip in best.chosen.items() if ip.slower), key=lambda i: -layers[i].macs):
        trial = _plan(graph, layers, aliases, fixed, consts, skip | {i})
        if trial.arena <= best.arena:
            best, skip = trial, skip | {i}
    for i, ip in best.chosen.items():
        _apply(layers[i], ip)
    planner.check(best.all_buffers)
    return best


def _plan(graph: Graph, layers: list[Layer], aliases: Groups, fixed: set[int], consts: set[int],
          skip: frozenset[int]) -> Plan:
    groups = aliases.copy()
    chosen = groups.choose_inplace(layers, fixed, consts, skip)
    # One buffer per group; each tensor of it is a piece alive from its writer to its last reader.
    span: dict[int, list[int]] = {}
    for i, layer in enumerate(layers):
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
    for i, layer in enumerate(layers):
        ip = chosen.get(i)
        size = ip.scratch_bytes if ip is not None and ip.kernel is not None else layer.scratch_bytes
        if size > 0:
            scratch[i] = planner.Buffer(f"scratch{i}", size, i, i)
    result = Plan(groups, chosen, buffers, scratch, 0)
    result.arena = planner.place(result.all_buffers)
    return result


def _apply(layer: Layer, ip: InPlace) -> None:
    if ip.kernel is not None:
        layer.params["kernel"] = ip.kernel
        layer.scratch_bytes = ip.scratch_bytes
    layer.consts = [c for c in layer.consts if not c.name.endswith(tuple(f"_{d}" for d in ip.drop))] + ip.consts
    layer.params.update(ip.params)
    ip.applied = True


def applied(layer: Layer) -> InPlace | None:
    """The in-place declaration the planner applied to this layer, if any."""
    return next((ip for ip in layer.inplace if ip.applied), None)
