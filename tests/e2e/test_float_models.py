"""Float32 versions of the MLPerf Tiny architectures (untrained, converted by TensorFlow without quantization):
DS-CNN keyword spotting, a ResNet block stack, the anomaly-detection autoencoder and a MobileNet-style VWW net.
Bit-exact with TFLM's reference float kernels over 100 random inputs on the host; on Cortex-M4 the softmax's
expf is newlib's, so the worst difference is measured and bounded instead."""
import numpy as np
import pytest

from bench.float_models import MODELS
from tests.support.helpers import float_tflite, need_target


@pytest.fixture(scope="module")
def float_models(tmp_path_factory):
    root = tmp_path_factory.mktemp("float_models")
    paths = {}
    for name, build in MODELS.items():
        paths[name] = root / f"{name}_float.tflite"
        paths[name].write_bytes(float_tflite(build()))
    return paths


@pytest.mark.parametrize("name", MODELS)
def test_host_bit_exact(float_models, name):
    from tinygen.emulation import emulate

    result = emulate(float_models[name], count=100, seed=5)
    assert result.outputs.dtype == np.float32
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()


@pytest.mark.parametrize("name", ["ds_cnn", "autoencoder"])
def test_cortex_m4(float_models, name):
    """The autoencoder has no transcendental function: bit-exact; DS-CNN's softmax calls newlib's expf."""
    from tinygen.emulation import emulate

    need_target("cortex-m4")
    result = emulate(float_models[name], count=2, seed=5, target="cortex-m4")
    if name == "autoencoder":
        assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()
    else:
        assert result.max_abs_diff <= 4 * 2.0 ** -24, result.summary()
