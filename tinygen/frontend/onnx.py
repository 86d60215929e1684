"""Float ONNX models → a TensorFlow SavedModel (onnx2tf) → the Keras front end's int8 quantization.

onnx2tf is the maintained ONNX → TensorFlow converter that handles the common PyTorch exports; it runs in a child
process (tinygen.contain), so a crash inside it is a one-line error. Every input keeps the layout the user
exported (NCHW stays NCHW: the C API takes the user's arrays unchanged). Before quantizing, the converted float
model is checked against ONNX Runtime on the calibration samples: a conversion that changed the results is
refused, never quantized. The ONNX packages are an optional extra, imported only when an ONNX model is given.
"""
from __future__ import annotations

import importlib.util
import pkgutil
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .. import contain
from ..errors import TinygenError
from . import keras as keras_frontend

ONNX_SUFFIX = ".onnx"
INSTALL = 'pip install -e ".[onnx]"'
# Operators of already-quantized ONNX (QDQ and QLinear): their integer arithmetic is ONNX Runtime's, not TFLite's,
# so compiling them bit-exactly would need their own kernels; tinygen quantizes the float model itself instead.
QUANTIZED_OPS = {"QuantizeLinear", "DequantizeLinear", "DynamicQuantizeLinear", "QLinearConv", "QLinearMatMul",
                 "QLinearAdd", "QLinearMul", "QLinearConcat", "QLinearLeakyRelu", "QLinearSigmoid",
                 "QLinearSoftmax", "QLinearAveragePool", "QLinearGlobalAveragePool", "ConvInteger", "MatMulInteger"}
# The converted float model must reproduce ONNX Runtime's outputs to float rounding (TensorFlow and ONNX Runtime
# sum in different orders): anything larger is a conversion that changed the model.
AGREEMENT_RTOL = 1e-4
LAYOUT_RANKS = (3, 4, 5)  # inputs onnx2tf would turn channels-last: NCW, NCHW, NCDHW are kept as exported
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")  # onnx2tf colours its messages


def is_onnx_path(path) -> bool:
    return Path(path).suffix.lower() == ONNX_SUFFIX


def is_onnx_object(obj) -> bool:
    """An onnx.ModelProto, recognised without importing onnx."""
    return type(obj).__name__ == "ModelProto" and type(obj).__module__.split(".")[0] == "onnx"


def _onnx():
    try:
        import onnx
    except ImportError as e:
        raise TinygenError(f"ONNX models need the onnx extra ({e})", INSTALL) from None
    if importlib.util.find_spec("onnxruntime") is None:  # the agreement check needs it later, in a child
        raise TinygenError("ONNX models need the onnx extra (No module named 'onnxruntime')", INSTALL)
    return onnx


@dataclass
class OnnxModel(keras_frontend.KerasModel):
    """An ONNX model converted to float TensorFlow: quantized like a Keras model, checked against ONNX Runtime."""
    kind = "ONNX"
    onnx_bytes: bytes = b""
    workdir: tempfile.TemporaryDirectory | None = field(default=None, repr=False)  # holds the SavedModel
    agreement: float | None = None  # the converted model's largest |difference| from ONNX Runtime

    def predict(self, x: np.ndarray, batch: int = 1) -> np.ndarray:
        return super().predict(x, 1)  # the SavedModel's batch is fixed at 1

    def calibration(self, data) -> np.ndarray:
        samples = super().calibration(data)
        self.check_conversion(samples)
        return samples

    def check_conversion(self, samples: np.ndarray) -> None:
        """Refuse a conversion whose float outputs differ from ONNX Runtime's beyond float rounding."""
        import onnxruntime

        session = onnxruntime.InferenceSession(self.onnx_bytes, providers=["CPUExecutionProvider"])
        name = session.get_inputs()[0].name
        expected = np.concatenate([session.run(None, {name: s[np.newaxis]})[0] for s in samples])
        got = self.predict(samples)
        if got.shape != expected.shape and got.ndim == 4 and got.shape == expected.transpose(0, 2, 3, 1).shape:
            expected = expected.transpose(0, 2, 3, 1)  # onnx2tf gives a 4-D output channels-last
        if got.shape != expected.shape:
            raise TinygenError(f"onnx2tf changed the output shape of '{self.name}' from {list(expected.shape[1:])} "
                               f"to {list(got.shape[1:])}", "export the model with a fixed output shape, or "
                               "convert it to .tflite yourself and give tinygen the int8 .tflite")
        self.agreement = float(np.max(np.abs(got - expected))) if got.size else 0.0
        if self.agreement > AGREEMENT_RTOL * max(1.0, float(np.max(np.abs(expected)))):
            raise TinygenError(f"onnx2tf's conversion of '{self.name}' does not compute what ONNX Runtime computes "
                               f"(largest difference {self.agreement:.3g} on the calibration data)",
                               "simplify the export (onnxsim), or convert it to .tflite yourself and give tinygen "
                               "the int8 .tflite")


def load_onnx(source) -> OnnxModel:
    """An .onnx path or an onnx.ModelProto, checked, converted to a float SavedModel and loaded."""
    onnx = _onnx()
    if is_onnx_object(source):
        model, name = source, source.graph.name or "model"
    else:
        path = Path(source)
        if not path.exists():
            raise TinygenError(f"{path}: no such file or directory", "check the model path")
        name = path.stem
        try:
            model = onnx.load(str(path))
        except Exception as e:  # noqa: BLE001 - protobuf's DecodeError and friends: not an ONNX file
            raise TinygenError(f"{path} is not a readable ONNX model: {keras_frontend.first_line(e)}",
                               "export it again (torch.onnx.export) and check that the file is complete") from None
    _check(onnx, model, name)
    workdir = tempfile.TemporaryDirectory(prefix="tinygen_onnx_")
    saved_model = Path(workdir.name) / "saved_model"
    with tempfile.TemporaryDirectory(prefix="tinygen_onnx_in_") as tmp:
        onnx_path = Path(tmp) / "model.onnx"
        onnx.save(model, str(onnx_path))
        contain.run("tinygen.frontend.onnx:convert_onnx", f"onnx2tf's conversion of '{name}'",
                    "simplify the export (onnxsim) or convert it to .tflite yourself", str(onnx_path),
                    str(saved_model), [i.name for i in _graph_inputs(model) if _rank(i) in LAYOUT_RANKS])
    km = keras_frontend.load_keras(saved_model)
    return OnnxModel(km.model, name, km.input_shape, onnx_bytes=model.SerializeToString(), workdir=workdir)


def _rank(value_info) -> int:
    return len(value_info.type.tensor_type.shape.dim)


def _graph_inputs(model) -> list:
    """The graph's real inputs (older exports also list every initializer as an input)."""
    initializers = {t.name for t in model.graph.initializer}
    return [i for i in model.graph.input if i.name not in initializers]


def _check(onnx, model, name: str) -> None:
    """Refuse what tinygen cannot take, naming it: an invalid graph, quantized or unconvertible operators,
    several inputs or outputs, dynamic dimensions other than the batch."""
    try:
        onnx.checker.check_model(model)
    except Exception as e:  # noqa: BLE001 - onnx.checker.ValidationError and protobuf errors
        raise TinygenError(f"'{name}' is not a valid ONNX model: {keras_frontend.first_line(e)}",
                           "export it again (torch.onnx.export) and check it with onnx.checker.check_model") from None
    kinds = sorted({node.op_type for node in model.graph.node if node.domain in ("", "ai.onnx")})
    custom = sorted({f"{node.domain}.{node.op_type}" for node in model.graph.node if node.domain not in ("", "ai.onnx")})
    quantized = [k for k in kinds if k in QUANTIZED_OPS]
    if quantized:
        raise TinygenError(f"'{name}' is an already-quantized ONNX model ({', '.join(quantized)}): its integer "
                           "arithmetic is ONNX Runtime's, which TFLite Micro's kernels do not reproduce",
                           "give tinygen the float ONNX model and calibration data: it quantizes to int8 itself")
    unknown = custom + [k for k in kinds if k not in _convertible()]
    if unknown:
        raise TinygenError(f"'{name}' uses ONNX operators onnx2tf cannot convert: {', '.join(unknown)}",
                           "replace them in the exported model with standard ONNX operators")
    inputs, outputs = _graph_inputs(model), list(model.graph.output)
    if len(inputs) != 1 or len(outputs) != 1:
        raise TinygenError(f"ONNX model '{name}' has {len(inputs)} inputs and {len(outputs)} outputs; tinygen's "
                           "ONNX path takes one of each", "export a model with one input and one output")
    dims = inputs[0].type.tensor_type.shape.dim
    if any(not d.HasField("dim_value") for d in dims[1:]):
        shape = ", ".join(str(d.dim_value) if d.HasField("dim_value") else d.dim_param or "?" for d in dims)
        raise TinygenError(f"ONNX model '{name}' has a dynamic input shape [{shape}]",
                           "export it with a fixed sample shape (only the batch may be dynamic)")


def _convertible() -> set[str]:
    """The ONNX operators onnx2tf has a converter for (one module each in onnx2tf/ops), found without importing
    onnx2tf (which imports TensorFlow)."""
    spec = importlib.util.find_spec("onnx2tf")
    if spec is None:
        raise TinygenError("ONNX models need onnx2tf (not installed)", INSTALL)
    ops = [str(Path(location) / "ops") for location in spec.submodule_search_locations]
    return {m.name for m in pkgutil.iter_modules(ops) if not m.name.startswith("_")}


# ---- in the child process (tinygen.contain) ----

def convert_onnx(onnx_path: str, saved_model: str, keep_layout: list[str]) -> None:
    """onnx2tf: the ONNX file → a float SavedModel with a batch of 1, every input in the layout it was exported in."""
    try:
        import onnx2tf
    except ImportError as e:
        raise TinygenError(f"ONNX models need onnx2tf ({e})", INSTALL) from None
    contain.report_stage("converting ONNX to TensorFlow (onnx2tf)")
    with keras_frontend.captured_stderr() as log:
        try:
            onnx2tf.convert(input_onnx_file_path=onnx_path, output_folder_path=saved_model, batch_size=1,
                            keep_ncw_or_nchw_or_ncdhw_input_names=keep_layout, non_verbose=True)
        except (Exception, SystemExit) as e:  # noqa: BLE001 - whatever TensorFlow raised; onnx2tf exits on some
            error = e
        else:
            error = None
    if error is not None or not (Path(saved_model) / "saved_model.pb").exists():
        detail = keras_frontend.first_line(error) if error is not None else (log["text"].strip().splitlines()
                                                                               or ["no SavedModel written"])[-1]
        raise TinygenError(f"onnx2tf could not convert the model: {ANSI_ESCAPE.sub('', detail).removeprefix('ERROR:').strip()[:300]}",
                           "simplify the export (onnxsim) or convert it to .tflite yourself")
