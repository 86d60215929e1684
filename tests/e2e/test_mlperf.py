"""The five MLPerf Tiny reference models: generated C bit-exact with TFLM on random inputs (bench/ runs 1000)."""
import numpy as np
import pytest

from tests.support.helpers import MLPERF_MODELS, mlperf_model

from tinygen.emulation import emulate


@pytest.mark.parametrize("backend", ["portable", "specialized"])  # the host's default is specialized
@pytest.mark.parametrize("model", MLPERF_MODELS)
def test_mlperf_bit_exact(model, backend):
    path = mlperf_model(model)
    result = emulate(path, count=20, seed=1, backend=backend)
    assert result.inputs == 20
    assert np.array_equal(result.outputs, result.expected), result.summary()
