"""AVERAGE_POOL_2D and MAX_POOL_2D: window sizes, strides, SAME/VALID, odd sizes, fused activations, int8 and 16x8;
every case bit-exact with TFLM. Plus the refusal of a rescaling pool."""
import pytest

from tests.support.helpers import assert_bit_exact, edit_tflite, int8_tflite, keras_model

# (input hwc, pool size, strides, padding)
GEOMETRIES = {
    "2x2_valid": ((4, 4, 3), 2, 2, "valid"),
    "3x3_s2_same_odd": ((7, 9, 5), 3, 2, "same"),
    "3x3_s1_same": ((5, 5, 2), 3, 1, "same"),
    "2x3_s1x2_same": ((6, 7, 3), (2, 3), (1, 2), "same"),
    "5x5_s3_valid": ((11, 8, 1), 5, 3, "valid"),
    "1x1": ((3, 3, 4), 1, 1, "valid"),
    "2x2_s3_same": ((8, 7, 2), 2, 3, "same"),
    "4x4_s4_same_partial": ((5, 6, 3), 4, 4, "same"),
    "global_5x7": ((5, 7, 6), (5, 7), 1, "valid"),
}


@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("geometry", GEOMETRIES)
def test_pool(tmp_path, kind, geometry):
    import tensorflow as tf

    shape, size, strides, padding = GEOMETRIES[geometry]
    layer = (tf.keras.layers.AveragePooling2D if kind == "avg" else tf.keras.layers.MaxPooling2D)
    seed = sum(map(ord, geometry))
    model = keras_model([layer(size, strides, padding=padding)], shape, seed=seed)
    assert_bit_exact(int8_tflite(model, shape, seed=seed), tmp_path)


@pytest.mark.parametrize("kind", ["avg", "max"])
@pytest.mark.parametrize("geometry", ["3x3_s2_same_odd", "2x3_s1x2_same", "4x4_s4_same_partial", "global_5x7"])
def test_pool_16x8(tmp_path, kind, geometry):
    import tensorflow as tf

    shape, size, strides, padding = GEOMETRIES[geometry]
    layer = (tf.keras.layers.AveragePooling2D if kind == "avg" else tf.keras.layers.MaxPooling2D)
    seed = sum(map(ord, geometry)) + 1
    model = keras_model([layer(size, strides, padding=padding)], shape, seed=seed)
    result = assert_bit_exact(int8_tflite(model, shape, seed=seed, activations="int16"), tmp_path)
    assert result.outputs.dtype.name == "int16"


def test_pool_16x8_cortex_m4(tmp_path):
    import tensorflow as tf

    model = keras_model([tf.keras.layers.AveragePooling2D(3, 2, padding="same")], (7, 9, 5), seed=3)
    assert_bit_exact(int8_tflite(model, (7, 9, 5), seed=3, activations="int16"), tmp_path, count=2,
                     target="cortex-m4")


@pytest.mark.parametrize("kind,activation", [("avg", "relu"), ("max", "relu6"), ("avg", "relu6")])
def test_pool_fused_activation(tmp_path, kind, activation):
    import tensorflow as tf

    layer = (tf.keras.layers.AveragePooling2D if kind == "avg" else tf.keras.layers.MaxPooling2D)
    act = tf.keras.layers.ReLU(max_value=6.0 if activation == "relu6" else None)
    # A narrow calibration range so RELU6 clips inside the int8 range.
    model = keras_model([layer(3, 2, padding="same"), act], (6, 6, 4), seed=5)
    assert_bit_exact(int8_tflite(model, (6, 6, 4), seed=5, calibration_scale=4.0), tmp_path)


def test_pool_refuses_requantization(tmp_path):
    import tensorflow as tf

    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    model = keras_model([tf.keras.layers.AveragePooling2D(2)], (4, 4, 2), seed=1)

    def rescale_output(m):
        sg = m.subgraphs[0]
        q = sg.tensors[sg.operators[0].outputs[0]].quantization
        q.scale = q.scale * 1.5

    path = tmp_path / "rescaling_pool.tflite"
    path.write_bytes(edit_tflite(int8_tflite(model, (4, 4, 2), seed=1), rescale_output))
    with pytest.raises(TinygenError, match="changes quantization"):
        compile_model(path)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32_pooling(tmp_path, target):
    """float32 MAX_POOL_2D / AVERAGE_POOL_2D (TFLM's reference float pooling): VALID and SAME windows clipped at
    the border (the average divides by the taps inside), strides 1 and 2."""
    import tensorflow as tf

    from tests.support.helpers import float_tflite

    L = tf.keras.layers
    model = keras_model([L.MaxPooling2D(3, strides=2, padding="same"), L.AveragePooling2D(3, strides=1, padding="same"),
                         L.AveragePooling2D(2), L.MaxPooling2D(2, strides=1)], (13, 11, 5), seed=3)
    assert_bit_exact(float_tflite(model), tmp_path, count=10 if target == "host" else 2, seed=5, target=target)
