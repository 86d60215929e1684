"""L2_POOL_2D (float32; TensorFlow's converter never emits it, so the models are built from the schema): windows
clipped at SAME borders, strides, fused activations; bit for bit with TFLM's reference L2Pool."""
import pytest

from tests.support.helpers import assert_bit_exact
from tests.support.schema_model import SchemaModel


def _model(in_shape, out_shape, dtype="float32", **options) -> bytes:
    m = SchemaModel()
    quant = {} if dtype == "float32" else dict(scale=0.05, zero_point=0)
    x = m.tensor(in_shape, dtype, **quant)
    y = m.tensor(out_shape, dtype, **quant)
    m.op("L2_POOL_2D", [x], [y], **{**dict(padding=0, stride_w=1, stride_h=1, filter_width=2, filter_height=2),
                                    **options})
    return m.finish([x], [y])


@pytest.mark.parametrize("in_shape,out_shape,options", [
    ([1, 7, 5, 3], [1, 7, 5, 3], dict(filter_width=3, filter_height=3)),  # SAME: border windows clipped
    ([1, 7, 5, 3], [1, 3, 2, 3], dict(padding=1, stride_w=2, stride_h=2, filter_width=3, filter_height=2)),
    ([2, 4, 4, 2], [2, 2, 2, 2], dict(padding=1, stride_w=2, stride_h=2, fused_activation_function=2)),
    ([1, 6, 6, 4], [1, 3, 3, 4], dict(stride_w=2, stride_h=2, fused_activation_function=3)),
])
@pytest.mark.parametrize("target", ["host", "cortex-m4"])
def test_windows(tmp_path, in_shape, out_shape, options, target):
    assert_bit_exact(_model(in_shape, out_shape, **options), tmp_path, count=10 if target == "host" else 2,
                     target=target)


def test_int8_is_refused(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    path = tmp_path / "model.tflite"
    path.write_bytes(_model([1, 4, 4, 1], [1, 4, 4, 1], dtype="int8"))
    with pytest.raises(TinygenError, match="TFLite Micro runs L2_POOL_2D on float32 only"):
        compile_model(path)
