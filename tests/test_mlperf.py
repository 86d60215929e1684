"""The five MLPerf Tiny reference models: generated C bit-exact with TFLM on random inputs (bench/ runs 1000)."""
import numpy as np
import pytest

from helpers import MLPERF_DIR, MLPERF_MODELS

from tinygen.emulation import emulate


@pytest.mark.parametrize("model", MLPERF_MODELS)
def test_mlperf_bit_exact(model):
    path = MLPERF_DIR / f"{model}.tflite"
    if not path.exists():
        pytest.skip(f"{path} missing: the MLPerf Tiny models live in ../shared/models/mlperf_tiny")
    result = emulate(path, count=20, seed=1)
    assert result.inputs == 20
    assert np.array_equal(result.outputs, result.expected), result.summary()
