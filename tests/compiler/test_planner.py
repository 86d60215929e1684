"""The arena planner: no overlaps, and the op-wise lower bound where a plan can reach it."""
import random

import pytest

from tests.support.helpers import mlperf_model

from tinygen import planner
from tinygen.compiler import compile_model


def _chain(sizes):
    """Buffer k is written by layer k and read by layer k + 1: the shape of a plain sequential network."""
    return [planner.Buffer(f"t{k}", size, k, k + 1) for k, size in enumerate(sizes)]


def test_alternating_chain_reaches_the_lower_bound():
    # A small tensor in a chain of large ones: lowest-offset-first greedy ends 16 bytes above the bound here;
    # the bounded search packs the chain in alternation.
    buffers = _chain([128, 128, 128, 128, 8, 128, 128, 128, 128])
    arena = planner.place(buffers)
    planner.check(buffers)
    assert arena == planner.lower_bound(buffers, 10) == 256


@pytest.mark.parametrize("seed", range(20))
def test_random_plans_never_overlap(seed):
    rng = random.Random(seed)
    buffers = []
    for k in range(rng.randint(1, 25)):
        first = rng.randint(0, 15)
        buffers.append(planner.Buffer(f"b{k}", rng.randint(1, 4000), first, first + rng.randint(0, 5)))
    arena = planner.place(buffers)
    planner.check(buffers)
    assert arena >= planner.lower_bound(buffers, 21)
    assert all(b.offset + b.size <= arena and b.offset % planner.ALIGN == 0 for b in buffers)


def test_ad01_arena_is_its_lower_bound():
    path = mlperf_model("ad01_int8")
    program = compile_model(path)
    assert program.arena_size == program.lower_bound == 256
