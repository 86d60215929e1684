"""Static memory plan: every activation and scratch buffer gets an offset in one arena.

A buffer is the memory of one or more tensors that share it: a reshape's alias, or a layer's output written in
place over an input that dies there (tinygen/lowered/memory.py). Each tensor is a piece of the buffer: alive from the
layer that writes it to the last that reads it, with its own size, all pieces at the buffer's offset. So an
in-place chain is an L-shaped region over time (a shrinking stride-2 output holds only its own bytes
afterwards), not a rectangle as large as its largest piece for its whole life.

Greedy placement, several orders, the smallest arena wins: each buffer goes at the lowest offset that overlaps
no already placed buffer alive at the same time. Then a bounded depth-first search over the same candidate offsets
tries to beat the greedy result (small graphs get an exact plan; large ones keep the greedy one).
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALIGN = 16


@dataclass
class Piece:
    first: int  # index of the layer that writes it
    last: int  # index of the last layer that reads it
    size: int
    tensor: int = -1  # the tensor it holds (-1: scratch)


@dataclass
class Buffer:
    name: str
    size: int
    first: int  # index of the layer that writes it
    last: int  # index of the last layer that reads it
    tensors: list[int] = field(default_factory=list)
    offset: int = -1
    pieces: list[Piece] = field(default_factory=list)  # empty: one piece, (first, last, size)

    def __post_init__(self) -> None:
        if not self.pieces:
            self.pieces = [Piece(self.first, self.last, self.size, self.tensors[0] if self.tensors else -1)]

    def add_piece(self, first: int, last: int, size: int, tensor: int = -1) -> None:
        self.pieces.append(Piece(first, last, size, tensor))
        if tensor >= 0:
            self.tensors.append(tensor)
        self.first, self.last = min(self.first, first), max(self.last, last)
        self.size = max(self.size, size)

    def size_at(self, step: int) -> int:
        """Bytes the buffer occupies while layer `step` runs (0 when it is not alive)."""
        return max((p.size for p in self.pieces if p.first <= step <= p.last), default=0)

    def overlaps_in_time(self, other: "Buffer") -> bool:
        return self.first <= other.last and other.first <= self.last

    def overlaps_in_space(self, other: "Buffer") -> bool:
        return self.offset < other.offset + other.size and other.offset < self.offset + self.size

    def conflicts(self, other: "Buffer") -> list[tuple[int, int]]:
        """(own size, other's size) for every pair of pieces alive at the same time."""
        return [(a.size, b.size) for a in self.pieces for b in other.pieces if a.first <= b.last and b.first <= a.last]

    def collides(self, other: "Buffer") -> bool:
        """Two pieces alive at the same time share a byte."""
        return any(self.offset < other.offset + sb and other.offset < self.offset + sa
                   for sa, sb in self.conflicts(other))


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


# Greedy placement orders to try; the smallest arena wins (each is cheap, none is best on every graph).
ORDERS = {
    "size": lambda b: (-b.size, b.first, b.name),
    "area": lambda b: (-sum(p.size * (p.last - p.first + 1) for p in b.pieces), b.first, b.name),
    "first_use": lambda b: (b.first, -b.size, b.name),
    "lifetime": lambda b: (-(b.last - b.first), -b.size, b.name),
}


def place(buffers: list[Buffer]) -> int:
    """Assign offsets with the best of several greedy orders; return the arena size in bytes."""
    best_size, best_offsets = None, None
    for order in ORDERS.values():
        size = _place_in_order(sorted(buffers, key=order))
        if best_size is None or size < best_size:
            best_size, best_offsets = size, [b.offset for b in buffers]
    if best_size and best_size > _align(lower_bound(buffers, max(b.last for b in buffers) + 1)):
        found = _search(sorted(buffers, key=ORDERS["first_use"]), best_size)
        if found is not None:
            best_size, best_offsets = found[0], [found[1][id(b)] for b in buffers]
    for b, off in zip(buffers, best_offsets or []):
        b.offset = off
    return best_size or 0


def _blocked(buf: Buffer, placed: list[Buffer]) -> list[tuple[int, int, int]]:
    """(start, end) byte ranges of placed buffers that `buf` must avoid, and for each the size of buf's own piece
    alive alongside."""
    return [(p.offset, p.offset + theirs, own) for p in placed for own, theirs in buf.conflicts(p)]


def _free(offset: int, blocked: list[tuple[int, int, int]]) -> bool:
    """The buffer fits at `offset`: no blocked (start, end, own) has offset < end and start < offset + own."""
    return all(not (offset < end and start < offset + own) for start, end, own in blocked)


def _place_in_order(ordered: list[Buffer]) -> int:
    placed: list[Buffer] = []
    for buf in ordered:
        blocked = _blocked(buf, placed)
        candidates = sorted({0} | {_align(end) for _, end, _ in blocked})
        buf.offset = next(o for o in candidates if _free(o, blocked))
        placed.append(buf)
    return _align(max((b.offset + b.size for b in ordered), default=0))


def _search(ordered: list[Buffer], beat: int, budget: int = 20000) -> tuple[int, dict[int, int]] | None:
    """Depth-first search for a plan smaller than `beat`: each buffer at any free candidate offset (0, or just above
    any placed buffer, so it may stack on one that is dead by then). Gives up after `budget` nodes; returns
    (arena size, {id(buffer): offset}) or None."""
    best: list = [beat, None]
    nodes = [0]

    def visit(k: int, top: int) -> None:
        if k == len(ordered):
            best[0], best[1] = top, {id(b): b.offset for b in ordered}
            return
        buf = ordered[k]
        blocked = _blocked(buf, ordered[:k])
        for o in sorted({0} | {_align(p.offset + p.size) for p in ordered[:k]}):
            nodes[0] += 1
            if nodes[0] > budget or _align(max(top, o + buf.size)) >= best[0]:
                return  # candidates ascend: every later one is at least as large
            if _free(o, blocked):
                buf.offset = o
                visit(k + 1, max(top, o + buf.size))

    visit(0, 0)
    return (_align(best[0]), best[1]) if best[1] is not None else None


def check(buffers: list[Buffer]) -> None:
    """Raise if two buffers alive at the same time share a byte (a planner bug, never a user error)."""
    for i, a in enumerate(buffers):
        for b in buffers[i + 1:]:
            if a.collides(b):
                raise AssertionError(f"memory plan overlap: {a.name} and {b.name}")


def lower_bound(buffers: list[Buffer], steps: int) -> int:
    """The op-wise lower bound of this plan: the most bytes that must be live at any one layer."""
    return max((sum(b.size_at(s) for b in buffers) for s in range(steps)), default=0)
