"""Python API, mirroring the CLI.

    import tinygen
    build = tinygen.compile("model.keras", board="nucleo_f446re", calibration=x_calib, validation=(x_val, y_val))
    print(build.report.text())           # float vs int8
    project, report = build              # unpacks too
    tinygen.emulate("model.keras", calibration=x_calib, inputs=x_val)   # generated C vs TFLM, byte for byte

`model` is an int8 .tflite path, a .keras/.h5 file, a SavedModel directory, a Keras model object, an .onnx file or an
onnx.ModelProto; Keras and ONNX models are quantized to full-integer int8 (see frontend/keras.py, frontend/onnx.py)
and need calibration samples. Arrays may be given as
numpy arrays or .npy/.npz paths.
"""
from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import oracle
from .arrays import load_array
from .compiler import c_identifier
from .errors import TinygenError
from .frontend import float_tflite, keras as keras_frontend
from .frontend import onnx as onnx_frontend
from .frontend.tflite import parse_tflite
from .ir import Graph
from .report_quant import LayerError, QuantReport, build_report, dequantize_output, model_inputs

MODEL_INT8 = "model_int8.tflite"  # the quantized model, saved in the project for inspection and reuse
QUANT_REPORT = "quantization_report.txt"
DEBUG_SAMPLES = 64  # per-layer errors on this many samples: enough to show the spread, cheap to run


@dataclass
class Quantized:
    """A Keras model quantized to int8: the .tflite bytes and what quantization cost."""
    tflite: bytes
    report: QuantReport
    graph: Graph

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.tflite)
        return path


@dataclass
class Build:
    """What tinygen.compile made: the project directory, the int8 model it compiled, the quantization report
    (Keras models only). Unpacks as `project, report = tinygen.compile(...)`."""
    project: Path
    tflite: Path
    report: QuantReport | None
    summary: str  # what `tinygen build` prints

    def __iter__(self):
        return iter((self.project, self.report))


def is_float_model(model) -> bool:
    """A float model tinygen quantizes itself: Keras (object, file, SavedModel) or ONNX (ModelProto, file)."""
    if keras_frontend.is_keras_object(model) or onnx_frontend.is_onnx_object(model):
        return True
    return isinstance(model, (str, Path)) and (keras_frontend.is_keras_path(model) or onnx_frontend.is_onnx_path(model))


def quantizes(model, calibration) -> bool:
    """Whether tinygen quantizes the model first: Keras and ONNX always, a float .tflite given calibration data."""
    return is_float_model(model) or (calibration is not None and float_tflite.is_float_tflite(model))


def load_float_model(model) -> keras_frontend.KerasModel:
    """The Keras, ONNX or float .tflite model, loaded for quantization."""
    if onnx_frontend.is_onnx_object(model) or (isinstance(model, (str, Path)) and onnx_frontend.is_onnx_path(model)):
        return onnx_frontend.load_onnx(model)
    if float_tflite.is_tflite_path(model):  # load_float_tflite refuses one that is already quantized
        return float_tflite.load_float_tflite(model)
    return keras_frontend.load_keras(model)


def _array(value, what: str):
    if value is None or isinstance(value, np.ndarray):
        return value
    if isinstance(value, (str, Path)):
        return load_array(value, what)
    return np.asarray(value)


def _validation(validation) -> tuple[np.ndarray | None, np.ndarray | None]:
    """validation=x, =(x, y), or paths to .npy/.npz files: samples and optional class labels."""
    if validation is None:
        return None, None
    if isinstance(validation, (tuple, list)) and len(validation) == 2:
        return _array(validation[0], "validation"), _array(validation[1], "validation labels")
    return _array(validation, "validation"), None


def _refuse_keras_options(model, **given) -> None:
    named = [what for what, value in given.items() if value is not None]
    if named:
        raise TinygenError(f"{model} is already quantized: {', '.join(named)} "
                           f"{'applies' if len(named) == 1 else 'apply'} only to Keras, ONNX and float .tflite models",
                           "leave them out, or give the float model instead")


def _output_scale(graph: Graph) -> float:
    """The quantization step of the model's result (the DEQUANTIZE input's, for float outputs)."""
    out = graph.tensors[graph.outputs[0]]
    if out.quant is None:
        producer = graph.producer(out.index)
        if producer is not None and producer.kind == "DEQUANTIZE":
            out = graph.tensors[producer.inputs[0]]
    return out.scale if out.quant is not None else 0.0


def _convert(km, calib: np.ndarray, io: str, debug_samples: np.ndarray | None = None):
    """The converter's result for the Keras model and its graph, checked for operators tinygen compiles."""
    conversion = km.quantize(calib, io, debug_samples)
    graph = parse_tflite(conversion.tflite, km.name, f"the quantized '{km.name}'")
    _refuse_unsupported(km, graph)
    return conversion, graph


def _refuse_unsupported(km, graph: Graph) -> None:
    """Operators the converter made that tinygen has no kernel for, named with their Keras layers (before
    TFLM, which may not run them either, reports only that it could not allocate them)."""
    from .ops import REGISTRY

    found = {}
    for op in graph.ops:
        if op.kind not in REGISTRY:
            name = graph.tensors[op.outputs[0]].name if op.outputs else ""
            found.setdefault(km.layer_of(name), op.kind)
    if found:
        listed = ", ".join(f"layer '{layer}' uses {kind}" for layer, kind in found.items())
        raise TinygenError(f"{listed}, which tinygen has no int8 kernel for",
                           f"use layers and activations tinygen compiles (relu, relu6, sigmoid, tanh, hard_swish, "
                           f"softmax; operators {', '.join(sorted(REGISTRY))})")


def quantize(model, calibration, validation=None, io: str | None = None, layer_errors: bool = True) -> Quantized:
    """Full-integer int8 post-training quantization of a Keras, ONNX or float .tflite model, with the
    float-vs-int8 report; io: "float" or "int8" (default: the model kind's, KerasModel.default_io)."""
    km = load_float_model(model)
    io = io or km.default_io
    calib = km.calibration(calibration)
    x, labels = _validation(validation)
    data = "validation" if x is not None else "calibration"
    x = km.check_samples(x, "validation") if x is not None else calib
    conversion, graph = _convert(km, calib, io, x[:DEBUG_SAMPLES] if layer_errors else None)
    float_out = km.predict(x)
    inputs = model_inputs(x, graph.tensors[graph.inputs[0]])
    int8_out = dequantize_output(oracle.reference_outputs(conversion.tflite, inputs), graph.tensors[graph.outputs[0]])
    layers = [LayerError(**row) for row in conversion.layers]
    report = build_report(float_out, int8_out.reshape(float_out.shape), _output_scale(graph), io, data, labels,
                          layers, conversion.layers_note, km.kind, getattr(km, "agreement", None))
    return Quantized(conversion.tflite, report, graph)


def emulate(model, inputs=None, calibration=None, io: str | None = None, count: int = 10, seed: int = 0,
            **options):
    """Generated C vs TFLite Micro, byte for byte (tinygen.emulation.Comparison).

    For a Keras model the int8 model is made first (calibration needed); `inputs` (float samples, or values
    already in the model's input type) default to the calibration samples. For a .tflite, `inputs` default to
    `count` random inputs. `options` go to tinygen.emulation.emulate (target="cortex-m4", backend=..., flags=...,
    sequence=True for consecutive steps of one sequence)."""
    from .emulation import emulate as run

    if not quantizes(model, calibration):
        _refuse_keras_options(model, calibration=calibration, io=io)
        return run(Path(model), inputs=inputs, count=count, seed=seed, **options)  # a path is loaded there
    km = load_float_model(model)
    calib = km.calibration(calibration)
    conversion, graph = _convert(km, calib, io or km.default_io)
    tflite = conversion.tflite
    x = calib if inputs is None else _array(inputs, "input")
    x_tensor = graph.tensors[graph.inputs[0]]
    if x.dtype != np.int8 or x_tensor.dtype != "int8":
        x = model_inputs(km.check_samples(x, "input"), x_tensor)
    elif x.ndim < 1 or x.size != len(x) * x_tensor.size:
        raise TinygenError(f"int8 inputs have shape {list(x.shape)}; the model takes {list(x_tensor.shape)}",
                           f"give [N, {', '.join(map(str, x_tensor.shape))}] or float samples")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{c_identifier(km.name)}.tflite"
        path.write_bytes(tflite)
        return run(path, inputs=x.reshape((len(x),) + tuple(x_tensor.shape)), **options)


def compile(model, board: str, calibration=None, validation=None, io: str | None = None, output=None,
            force: bool = False, backend: str | None = None, layer_errors: bool = True) -> Build:
    """A PlatformIO project for `board` (like `tinygen build`). A Keras model is quantized first (io: "float",
    the default, or "int8"); the project then also holds the int8 model (model_int8.tflite) and the
    quantization report."""
    from .project import build

    if not quantizes(model, calibration):
        _refuse_keras_options(model, calibration=calibration, validation=validation, io=io)
        result = build(Path(model), board, output, force, backend)
        return Build(result.write.out_dir, Path(model), None, result.summary())
    q = quantize(model, calibration, validation, io, layer_errors)
    extra = {MODEL_INT8: q.tflite, QUANT_REPORT: (q.report.text() + "\n").encode()}
    with tempfile.TemporaryDirectory() as tmp:
        path = q.save(Path(tmp) / f"{c_identifier(q.graph.name)}.tflite")  # the file name names the C model
        result = build(path, board, output, force, backend, extra_files=extra)
    out = result.write.out_dir
    return Build(out, out / MODEL_INT8, q.report, result.summary())
