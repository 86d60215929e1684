"""CAST at run time: every conversion TFLM's kernel makes (int8, int16, int32, float32, bool → int8, int16, int32,
float32), over each source type's whole range (narrowing wraps) and floats with fractions of both signs past the
narrow types' ranges (truncation toward zero; saturation where C++ leaves the result undefined, as TFLM's host
build computes it); bit-exact with TFLM on the host and, for the float
conversions, which the hardware performs, on Cortex-M4 and rv32imc."""
import numpy as np
import pytest

from tests.support.helpers import need_target
from tests.support.schema_model import SchemaModel

from tinygen.emulation import emulate
from tinygen.errors import TinygenError
from tinygen.ops.cast import SOURCES, TARGETS

SHAPE = [1, 64]
NUMPY = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "float32": np.float32, "bool": np.bool_}


def _cast_model(source: str, target: str) -> bytes:
    m = SchemaModel(f"cast_{source}_{target}")
    quantized = {"scale": 0.5} if source in ("int8", "int16", "int32") else {}  # a model input of int32 is
    x = m.tensor(SHAPE, source, **quantized)  # quantized; CAST ignores quantization
    y = m.tensor(SHAPE, target, **({"scale": 0.25} if target != "float32" else {}))
    m.op("CAST", [x], [y])
    return m.finish([x], [y])


def _inputs(source: str, count: int = 6, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    shape = (count, *SHAPE)
    if source == "bool":
        return rng.integers(0, 2, shape).astype(np.bool_)
    if source == "float32":
        magnitude = rng.choice([1.0, 200.0, 40000.0, 3e6], shape)  # past int8's, int16's ranges
        values = (rng.uniform(-1.0, 1.0, shape) * magnitude).astype(np.float32)
        values[0, 0, :11] = [0.5, -0.5, -0.0, 127.9, -128.9, 32767.99, 3e9, -3e9, np.inf, -np.inf, np.nan]
        return values
    info = np.iinfo(NUMPY[source])
    values = rng.integers(info.min, info.max, shape, endpoint=True).astype(NUMPY[source])
    values[0, 0, :2] = [info.min, info.max]
    return values


@pytest.mark.parametrize("target", TARGETS)
@pytest.mark.parametrize("source", SOURCES)
def test_cast(tmp_path, source, target):
    path = tmp_path / "cast.tflite"
    path.write_bytes(_cast_model(source, target))
    result = emulate(path, inputs=_inputs(source))
    assert result.outputs.dtype == NUMPY[target]
    assert np.array_equal(result.outputs.view(np.uint8), result.expected.view(np.uint8)), result.summary()


@pytest.mark.parametrize("target", ["cortex-m4", "rv32imc"])
def test_float_to_integer_on_targets(tmp_path, target):
    """The target's own float conversion (VCVT on Cortex-M4, soft float on rv32imc) truncates as the host's."""
    need_target(target)
    for wanted in ("int8", "int16", "int32"):
        path = tmp_path / f"cast_{wanted}.tflite"
        path.write_bytes(_cast_model("float32", wanted))
        result = emulate(path, inputs=_inputs("float32", count=2, seed=1), target=target)
        assert np.array_equal(result.outputs, result.expected), f"{wanted}: {result.summary()}"


def test_bool_output_refused(tmp_path):
    """TFLM's CAST has no bool output: refused by name, not miscompiled."""
    from tinygen.compiler import compile_model

    path = tmp_path / "cast_bool.tflite"
    path.write_bytes(_cast_model("int8", "bool"))
    with pytest.raises(TinygenError, match=r"CAST \(operator 0\) converts int8 to bool"):
        compile_model(path)
