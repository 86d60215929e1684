"""ONNX models in: ten architectures built with the onnx package's helpers, converted by onnx2tf, quantized to int8
with calibration data; the generated C bit-exact with the converted .tflite under TFLM; clear refusals."""
import importlib.util
import os
import subprocess
import sys

import numpy as np
import pytest

from tests.support import onnx_models

# find_spec, not importorskip: importing onnx2tf sets TF_USE_LEGACY_KERAS for the whole test session, and every
# later tf.keras would be Keras 2
pytestmark = pytest.mark.skipif(importlib.util.find_spec("onnx2tf") is None,
                                reason='the ONNX extra: pip install -e ".[onnx]"')


def _samples(model, n: int = 24, seed: int = 0) -> np.ndarray:
    shape = [d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim][1:]
    return np.random.default_rng(seed).standard_normal([n] + shape).astype(np.float32)


@pytest.mark.parametrize("name", list(onnx_models.ARCHITECTURES))
def test_architecture_bit_exact_in_the_exported_layout(name, tmp_path):
    import tinygen
    from tinygen.emulation import emulate
    from tinygen.report_quant import model_inputs

    model = onnx_models.ARCHITECTURES[name]()
    x = _samples(model)
    q = tinygen.quantize(model, x, io="int8", layer_errors=False)
    x_tensor = q.graph.tensors[q.graph.inputs[0]]
    assert x_tensor.shape == (1,) + x.shape[1:]  # the C API takes the user's layout (NCHW), not channels-last
    assert q.report.source == "ONNX" and q.report.conversion_error < 1e-4
    result = emulate(q.save(tmp_path / f"{name}.tflite"), inputs=model_inputs(x, x_tensor))
    assert result.inputs == len(x)
    assert np.array_equal(result.outputs, result.expected), result.summary()
    # the converter ran in a child: this process's tf.keras is still Keras 3
    assert "onnx2tf" not in sys.modules and "TF_USE_LEGACY_KERAS" not in os.environ


def test_float_io_project_and_cortex_m4(tmp_path):
    import tinygen

    model = onnx_models.depthwise_separable()
    x = _samples(model, 16)
    build = tinygen.compile(model, "nucleo_f446re", calibration=x, output=tmp_path / "proj", layer_errors=False)
    assert (build.project / "model_int8.tflite").exists()
    text = (build.project / "quantization_report.txt").read_text()
    assert "float ONNX model vs int8" in text and "onnx2tf's float model vs ONNX Runtime" in text
    result = tinygen.emulate(model, calibration=x[:2], target="cortex-m4")
    assert result.outputs.dtype == np.float32
    assert np.array_equal(result.outputs, result.expected), result.summary()


def test_cli_builds_an_onnx_file(tmp_path):
    import onnx

    onnx.save(onnx_models.mlp(), tmp_path / "mlp.onnx")
    np.save(tmp_path / "calib.npy", _samples(onnx_models.mlp(), 16))
    run = subprocess.run([sys.executable, "-m", "tinygen", "emulate", "mlp.onnx", "--calibration", "calib.npy"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "bit-exact: 16 inputs, 0 mismatching bytes" in run.stdout


def _qdq():
    from onnx import TensorProto, helper

    b = onnx_models.OnnxBuilder()
    scale, zero = b.const(np.float32(0.1)), b.const(np.int8(0))
    y = b.op("DequantizeLinear", b.op("QuantizeLinear", "x", scale, zero), scale, zero)
    graph = helper.make_graph(b.nodes, "qdq", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 4])],
                              [helper.make_tensor_value_info(y, TensorProto.FLOAT, [1, 4])], b.initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _with_input(shape, kind="Relu", out_shape=None, **attrs):
    from onnx import TensorProto, helper

    node = helper.make_node(kind, ["x"], ["y"], **attrs)
    graph = helper.make_graph([node], "net", [helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, out_shape or shape)])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("make,message", [
    (_qdq, r"'qdq' is an already-quantized ONNX model \(DequantizeLinear, QuantizeLinear\)"),
    (lambda: _with_input([1, 1, 4, 4], "LpPool", [1, 1, 3, 3], kernel_shape=[2, 2]),
     r"uses ONNX operators onnx2tf cannot convert: LpPool"),
    (lambda: _with_input([1, 3, "H", "W"]), r"'net' has a dynamic input shape \[1, 3, H, W\]"),
])
def test_refusals_name_the_reason(make, message):
    import tinygen
    from tinygen.errors import TinygenError

    with pytest.raises(TinygenError, match=message):
        tinygen.quantize(make(), np.zeros((2, 4), np.float32))


def test_refuses_onnx_without_calibration_and_a_broken_file(tmp_path):
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError
    from tinygen.frontend.onnx import load_onnx

    (tmp_path / "broken.onnx").write_bytes(b"\x08\x07not protobuf at all")
    with pytest.raises(TinygenError, match="is not a readable ONNX model|is not a valid ONNX model"):
        load_onnx(tmp_path / "broken.onnx")
    with pytest.raises(TinygenError, match="float ONNX model: int8 quantization needs calibration data"):
        compile_model(tmp_path / "broken.onnx")


def test_missing_extra_is_a_one_line_error(tmp_path):
    import onnx

    onnx.save(onnx_models.mlp(), tmp_path / "mlp.onnx")
    np.save(tmp_path / "calib.npy", np.zeros((2, 20), np.float32))
    code = ("import sys; sys.modules['onnx'] = None; from tinygen.cli import main; "
            "main(['emulate', 'mlp.onnx', '--calibration', 'calib.npy'])")
    run = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.strip().startswith("error: ONNX models need the onnx extra")
    assert run.stderr.strip().endswith('pip install -e ".[onnx]"') and "Traceback" not in run.stderr
