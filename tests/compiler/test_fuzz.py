"""Fuzzing in CI: 2000+ mutants of the MLPerf Tiny models and of schema-built models (bench/fuzz.py runs many
more). Each must compile or be refused with a TinygenError within its time budget; a sample of accepted
mutants runs under AddressSanitizer and UBSan, and must match TFLM byte for byte wherever TFLM runs it."""
import time

import numpy as np
import pytest

from tests.support import fuzzing as fuzz
from tests.support.helpers import MLPERF_DIR
from tests.support.schema_model import SCHEMA_SEEDS

from tinygen.emulation import emulate

CASES = 2000
SANITIZED = 5
# Schema-built seeds compile in milliseconds, the MLPerf models in tens: weigh the cheap ones up.
WEIGHTS = {name: 3.0 for name in SCHEMA_SEEDS}


@pytest.mark.parametrize("name", list(SCHEMA_SEEDS))
def test_schema_seeds_are_bit_exact(name, tmp_path):
    """The seeds are valid models: mutants start from something tinygen and TFLM both run, identically."""
    path = tmp_path / f"{name}.tflite"
    path.write_bytes(SCHEMA_SEEDS[name]())
    result = emulate(path, count=8, seed=0)
    assert np.array_equal(result.outputs, result.expected), result.summary()


def test_time_limit_interrupts_a_hang():
    start = time.perf_counter()
    with pytest.raises(fuzz.Hang):
        with fuzz.time_limit(0.2):
            while True:
                pass
    assert time.perf_counter() - start < 2


def test_fuzz(capsys, tmp_path):
    seeds = fuzz.load_seeds(MLPERF_DIR)
    report = fuzz.campaign(seeds, CASES, rng_seed=20261123, budget=10.0, sanitize_count=SANITIZED,
                           weights=WEIGHTS, oracle=True)
    with capsys.disabled():
        print(f"\n{report.summary()}  [seeds: {', '.join(s.name for s in seeds)}]")
    saved = fuzz.save_failures(report, tmp_path / "failures")
    details = "\n\n".join(f"{c.seed} {c.mutation} {c.outcome}:\n{c.detail[-1500:]}" for c in report.failures[:5])
    assert not report.failures, f"{len(report.failures)} failures (mutants in {saved[0].parent}):\n{details}"
    assert len(report.cases) >= CASES
    assert len(report.sanitized) == SANITIZED
