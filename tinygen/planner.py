"""Static memory plan: every activation and scratch buffer gets an offset in one arena.

Liveness intervals in layer order, then greedy placement, largest buffers first, each at the lowest offset
that overlaps no already placed buffer alive at the same time.
"""
from __future__ import annotations

from dataclasses import dataclass, field

ALIGN = 16


@dataclass
class Buffer:
    name: str
    size: int
    first: int  # index of the layer that writes it
    last: int  # index of the last layer that reads it
    tensors: list[int] = field(default_factory=list)
    offset: int = -1

    def overlaps_in_time(self, other: "Buffer") -> bool:
        return self.first <= other.last and other.first <= self.last

    def overlaps_in_space(self, other: "Buffer") -> bool:
        return self.offset < other.offset + other.size and other.offset < self.offset + self.size


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


# Greedy placement orders to try; the smallest arena wins (each is cheap, none is best on every graph).
ORDERS = {
    "size": lambda b: (-b.size, b.first, b.name),
    "area": lambda b: (-b.size * (b.last - b.first + 1), b.first, b.name),
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
    for b, off in zip(buffers, best_offsets or []):
        b.offset = off
    return best_size or 0


def _place_in_order(ordered: list[Buffer]) -> int:
    placed: list[Buffer] = []
    for buf in ordered:
        conflicts = sorted((p for p in placed if p.overlaps_in_time(buf)), key=lambda p: p.offset)
        offset = 0
        for p in conflicts:
            if offset + buf.size <= p.offset:
                break
            offset = max(offset, _align(p.offset + p.size))
        buf.offset = offset
        placed.append(buf)
    return _align(max((b.offset + b.size for b in ordered), default=0))


def check(buffers: list[Buffer]) -> None:
    """Raise if two buffers alive at the same time share a byte (a planner bug, never a user error)."""
    for i, a in enumerate(buffers):
        for b in buffers[i + 1:]:
            if a.overlaps_in_time(b) and a.overlaps_in_space(b):
                raise AssertionError(f"memory plan overlap: {a.name} and {b.name}")


def lower_bound(buffers: list[Buffer], steps: int) -> int:
    """The op-wise lower bound: the most bytes that must be live at any one layer."""
    return max((sum(b.size for b in buffers if b.first <= s <= b.last) for s in range(steps)), default=0)
