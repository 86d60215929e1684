"""Float32 versions of the MLPerf Tiny architectures (untrained, converted by TensorFlow without quantization):
DS-CNN keyword spotting, a ResNet block stack, the anomaly-detection autoencoder and a MobileNet-style VWW net.
Bit-exact with TFLM's reference float kernels over 100 random inputs on the host; on Cortex-M4 the softmax's
expf is newlib's, so the worst difference is measured and bounded instead."""
import numpy as np
import pytest

from tests.support.helpers import float_tflite, keras_model, need_target


def _ds_cnn():
    import tensorflow as tf

    L = tf.keras.layers
    layers = [L.Conv2D(16, (10, 4), strides=2, padding="same"), L.BatchNormalization(), L.ReLU()]
    for _ in range(2):
        layers += [L.DepthwiseConv2D(3, padding="same"), L.BatchNormalization(), L.ReLU(),
                   L.Conv2D(16, 1), L.BatchNormalization(), L.ReLU()]
    layers += [L.AveragePooling2D((5, 3)), L.Flatten(), L.Dense(12), L.Softmax()]
    return keras_model(layers, (49, 10, 1), seed=1)


def _resnet():
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        y = L.ReLU()(L.Conv2D(8, 3, padding="same")(x))
        for _ in range(2):
            r = L.Conv2D(8, 3, padding="same")(L.ReLU()(L.Conv2D(8, 3, padding="same")(y)))
            y = L.ReLU()(L.Add()([y, r]))
        y = L.Flatten()(L.AveragePooling2D(4)(L.Conv2D(16, 3, strides=2, padding="same")(y)))
        return L.Softmax()(L.Dense(10)(y))
    return keras_model(build, (16, 16, 3), seed=2)


def _autoencoder():
    import tensorflow as tf

    L = tf.keras.layers
    layers = [L.Dense(64), L.BatchNormalization(), L.ReLU(), L.Dense(8), L.BatchNormalization(), L.ReLU(),
              L.Dense(64), L.BatchNormalization(), L.ReLU(), L.Dense(160)]
    return keras_model(layers, (160,), seed=3)


def _mobilenet():
    import tensorflow as tf

    L = tf.keras.layers
    layers = [L.Conv2D(8, 3, strides=2, padding="same"), L.ReLU(6.0)]
    for channels, stride in ((16, 1), (24, 2), (24, 1)):
        layers += [L.DepthwiseConv2D(3, strides=stride, padding="same"), L.ReLU(6.0), L.Conv2D(channels, 1),
                   L.ReLU(6.0)]
    layers += [L.GlobalAveragePooling2D(), L.Dense(2), L.Softmax()]
    return keras_model(layers, (32, 32, 3), seed=4)


MODELS = {"ds_cnn": _ds_cnn, "resnet": _resnet, "autoencoder": _autoencoder, "mobilenet": _mobilenet}


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
