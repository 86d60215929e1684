"""TFLM's seanet integration models (16x8 audio: int16 activations, int8 weights, int64 biases), one operator
each, from the checkout TINYGEN_TFLM_DIR names: bit-exact with TFLM. The ADD/SUB models have two inputs, which
tinygen does not compile yet."""
import numpy as np
import pytest

from tests.support.helpers import need_target, tflm_models

SEANET = ["seanet/conv", "seanet/leaky_relu", "seanet/pad", "seanet/quantize"]


@pytest.mark.parametrize("subdir", SEANET)
def test_seanet_models_on_the_host(subdir):
    from tinygen.emulation import emulate

    for path in tflm_models(subdir):
        result = emulate(path, count=2, seed=len(path.stem))
        assert result.outputs.dtype in (np.int16, np.int32)  # the quantize models convert int16 ↔ int32
        assert np.array_equal(result.outputs, result.expected), f"{path.name}: {result.summary()}"


@pytest.mark.parametrize("subdir", SEANET)
def test_seanet_model_on_cortex_m4(subdir):
    from tinygen.emulation import emulate

    need_target("cortex-m4")
    path = tflm_models(subdir)[0]
    result = emulate(path, count=1, target="cortex-m4")
    assert np.array_equal(result.outputs, result.expected), f"{path.name}: {result.summary()}"
