"""NEG (float32; TFLM has no integer NEG), and the float32 forms of ABS and RSQRT: bit for bit with TFLM, signed
zeros, infinities and NaN included."""
import numpy as np
import pytest

from tests.support.helpers import float_tflite, need_target, op_kinds

SPECIAL = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-45, -1e-45, 3.0, -2.5, 1e38, -1e38, 0.25], np.float32)


def _model(function, size: int) -> bytes:
    import tensorflow as tf

    return float_tflite(tf.function(function, input_signature=[tf.TensorSpec([1, size], tf.float32)]))


@pytest.mark.parametrize("kind,target", [("NEG", "host"), ("ABS", "host"), ("RSQRT", "host"), ("NEG", "rv32imc"),
                                         ("RSQRT", "cortex-m4")])
def test_float32_neg_abs_rsqrt(tmp_path, kind, target):
    import tensorflow as tf

    from tinygen.emulation import emulate

    need_target(target)
    function = {"NEG": tf.math.negative, "ABS": tf.math.abs, "RSQRT": tf.math.rsqrt}[kind]
    size = 64
    tflite = _model(lambda x: function(x), size)
    assert op_kinds(tflite, tmp_path) == [kind]
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite)
    rng = np.random.default_rng(len(kind))
    samples = (rng.standard_normal((4, 1, size)) * 10).astype(np.float32)
    samples[0, 0, :len(SPECIAL)] = SPECIAL
    if kind == "RSQRT" and target != "host":  # the NaN of a negative's root is the FPU's: x86's has the sign bit set
        samples = np.abs(samples)
    result = emulate(path, inputs=samples, target=target, backend="portable")
    assert np.array_equal(result.outputs.view(np.uint32), result.expected.view(np.uint32)), result.summary()
