"""Float32 .tflite models quantized to full-integer int8 by ai-edge-quantizer (Google's post-training quantizer
for LiteRT models), when calibration data is given: its static_wi8_ai8 recipe (int8 weights per channel, int8
activations calibrated on the samples, int8 inputs and outputs), then compiled like any int8 model. TFLM's own
interpreter gives the float model's outputs for the quantization report. The quantizer runs in a child process
(tinygen.contain), so a crash inside it is a one-line error; it is an optional extra, imported only here.
"""
from __future__ import annotations

import importlib.util
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import contain, oracle
from ..errors import TinygenError
from .keras import Conversion, KerasModel, float_ops
from .tflite import parse_tflite

INSTALL = 'pip install -e ".[quantize]"'
RECIPE = "static_wi8_ai8"


def is_tflite_path(model) -> bool:
    return isinstance(model, (str, Path)) and Path(model).suffix.lower() == ".tflite" and Path(model).is_file()


def is_float_tflite(model) -> bool:
    """A .tflite path whose operators compute in float32 (not an int8 model with float edges)."""
    return is_tflite_path(model) and bool(float_ops(parse_tflite(Path(model).read_bytes(), Path(model).stem,
                                                                  str(model))))


@dataclass
class FloatTfliteModel(KerasModel):
    kind = ".tflite"  # messages say "float .tflite model"
    default_io = "int8"  # what ai-edge-quantizer gives
    tflite: bytes = b""
    signature: str = ""
    input_name: str = ""
    tensor_shape: tuple = ()  # the input tensor's, batch of 1 included

    def predict(self, x: np.ndarray, batch: int = 1) -> np.ndarray:
        samples = np.ascontiguousarray(x, np.float32).reshape((len(x), *self.tensor_shape))
        return np.asarray(oracle.reference_outputs(self.tflite, samples), np.float32).reshape(len(x), -1)

    def stateful_layers(self) -> list:
        return []

    def recurrent_layers(self) -> list:
        return []

    def layer_of(self, tf_name: str) -> str:
        return tf_name

    def quantize(self, calibration: np.ndarray, io: str = "int8", debug_samples=None) -> Conversion:
        if io != "int8":
            raise TinygenError(f"ai-edge-quantizer gives '{self.name}' int8 inputs and outputs, not {io}",
                               "use --io int8 (io='int8'), or quantize the model yourself with float I/O")
        tflite = contain.run("tinygen.frontend.float_tflite:quantize_contained",
                             f"ai-edge-quantizer's quantization of '{self.name}'",
                             "quantize the model yourself and give tinygen the int8 .tflite", self.tflite,
                             self.signature, self.input_name, calibration)
        return Conversion(tflite, [], "per-layer errors are measured for Keras and ONNX models only")


def _quantizer():
    if importlib.util.find_spec("ai_edge_quantizer") is None:
        raise TinygenError("quantizing a float .tflite needs the quantize extra (No module named "
                           "'ai_edge_quantizer')", INSTALL)


def load_float_tflite(path) -> FloatTfliteModel:
    """The float .tflite at `path`, one float32 input of a fixed shape, ready to quantize."""
    _quantizer()
    path = Path(path)
    tflite = path.read_bytes()
    graph = parse_tflite(tflite, path.stem, str(path))
    if not float_ops(graph):
        raise TinygenError(f"{path} is already quantized: it has no float operators to quantize",
                           "give tinygen the float model, or the quantized one without calibration data")
    if len(graph.inputs) != 1 or len(graph.outputs) != 1:
        raise TinygenError(f"{path} has {len(graph.inputs)} inputs and {len(graph.outputs)} outputs; tinygen "
                           "quantizes single-input, single-output float models", "quantize it yourself")
    x = graph.tensors[graph.inputs[0]]
    if x.dtype != "float32":
        raise TinygenError(f"{path}'s input is {x.dtype}; tinygen quantizes models with a float32 input",
                           "quantize it yourself and give tinygen the int8 .tflite")
    signature, name = contain.run("tinygen.frontend.float_tflite:signature_of", f"reading '{path.name}'",
                                  "check that LiteRT loads the model", tflite)
    return FloatTfliteModel(None, path.stem, tuple(int(d) for d in x.shape[1:]), tflite=tflite,
                            signature=signature, input_name=name, tensor_shape=tuple(int(d) for d in x.shape))


def signature_of(tflite: bytes) -> tuple[str, str]:
    """(signature key, input name) as ai-edge-quantizer's calibration keys them (child process)."""
    from ai_edge_litert import interpreter

    signatures = interpreter.Interpreter(model_content=tflite).get_signature_list()
    if len(signatures) != 1:
        raise TinygenError(f"the model has {len(signatures)} signatures; ai-edge-quantizer calibrates one",
                           "export the model with one signature (serving_default)")
    key, signature = next(iter(signatures.items()))
    return key, signature["inputs"][0]


def quantize_contained(tflite: bytes, signature: str, input_name: str, calibration: np.ndarray) -> bytes:
    """ai-edge-quantizer's int8 model of `tflite`, calibrated on the samples (child process). Each sample is
    calibrated on its own and the ranges merged by min/max over all of them, as TensorFlow's converter takes
    them: the quantizer's own merge is a moving average, which for a batch of 1 narrows every range to
    near its mean."""
    from ai_edge_quantizer import quantizer, recipe
    from ai_edge_quantizer.utils import qsv_utils

    with tempfile.TemporaryDirectory(prefix="tinygen_aeq_") as tmp:
        source = Path(tmp) / "float.tflite"
        source.write_bytes(tflite)
        qt = quantizer.Quantizer(str(source))
        qt.load_quantization_recipe(getattr(recipe, RECIPE)())
        ranges: dict = {}
        for sample in calibration:
            for tensor, qsv in qt.calibrate({signature: [{input_name: sample[np.newaxis]}]}).items():
                ranges[tensor] = qsv_utils.min_max_update(ranges.get(tensor, {}), qsv) if qsv else \
                    ranges.get(tensor, qsv)
        return bytes(qt.quantize(ranges).quantized_model)
