"""SQUARED_DIFFERENCE (int8, float32): equal shapes, either operand broadcast (both at once), rank 3, extreme
quantizations; every case bit-exact with TFLM."""
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, op_kinds, random_constant, with_quantization

# name: (input shape without batch, constant shape or None for relu(x), constant first)
CASES = {
    "same_shape": ((4, 4, 3), None, False),
    "const_channels": ((4, 4, 3), (1, 1, 1, 3), False),
    "const_first_rank3": ((3, 7), (7,), True),
    "both_broadcast": ((1, 5, 3), (1, 4, 1, 3), False),
    "scalar": ((2, 3, 5), (1,), False),
}


def _model(name: str, seed: int) -> bytes:
    import tensorflow as tf

    shape, const_shape, first = CASES[name]
    const = None if const_shape is None else tf.constant(random_constant(const_shape, seed))

    @tf.function(input_signature=[tf.TensorSpec((1, *shape), tf.float32)])
    def f(x):
        other = tf.nn.relu6(x) if const is None else const
        return tf.math.squared_difference(other, x) if first else tf.math.squared_difference(x, other)

    return int8_tflite(f, shape, seed=seed)


@pytest.mark.parametrize("name", list(CASES))
def test_converted(tmp_path, name):
    tflite = _model(name, seed=list(CASES).index(name) + 40)
    assert op_kinds(tflite, tmp_path)[-1] == "SQUARED_DIFFERENCE"
    assert_bit_exact(tflite, tmp_path, count=6)


# tensor index → (scale, zero point): the output's squared range far below / above the inputs', unlike inputs
@pytest.mark.parametrize("changes", [{2: (1e-4, -128)}, {2: (500.0, 0)}, {0: (0.5, 127), 1: (0.001, -128)},
                                     {0: (1e-5, 0), 2: (1e-9, -100)}])
def test_extreme_quantization(tmp_path, changes):
    tflite = _model("const_channels", seed=3)
    assert_bit_exact(with_quantization(tflite, changes), tmp_path, count=8)


@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_float32(tmp_path, target):
    """TFLM's SquaredDifference<float>: the difference rounded, then squared; operands broadcast."""
    import tensorflow as tf

    from tests.support.helpers import assert_float_function_exact

    assert_float_function_exact(lambda a, b: tf.math.squared_difference(a, b) + tf.math.squared_difference(a, 0.3),
                                [[1, 4, 6], [1, 1, 6]], tmp_path, ["SQUARED_DIFFERENCE"], target)
