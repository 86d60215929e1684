"""The quantization report: what int8 costs a Keras model.

Float = the Keras model in TensorFlow; int8 = the converted .tflite on TFLite Micro's reference kernels (the
oracle the generated C is bit-exact with, so its numbers are also the generated C's). Compared on the validation
data when given, else on the calibration data: top-1 agreement, accuracy against labels, max/mean absolute error
of the dequantized outputs, and the converter's per-layer error (each layer fed float inputs) where available.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

from .errors import TinygenError
from .ir import Tensor


@dataclass
class LayerError:
    """One int8 layer against its float version on the same (float) inputs."""
    layer: str  # Keras layer name (or the TensorFlow tensor name when no layer matches)
    op: str  # TFLite operator
    max_abs_error: float
    rms_error: float
    scale: float  # the layer output's quantization step: errors in steps are max_abs_error / scale

    @property
    def max_steps(self) -> float:
        return self.max_abs_error / self.scale if self.scale else 0.0


@dataclass
class QuantReport:
    data: str  # "validation" or "calibration"
    samples: int
    io: str  # the generated API's I/O type
    outputs_per_sample: int
    top1_agreement: float | None  # fraction of samples whose argmax agrees (classifiers)
    float_accuracy: float | None  # with labels
    int8_accuracy: float | None
    max_abs_error: float  # dequantized int8 output vs float output
    mean_abs_error: float
    output_scale: float
    layers: list[LayerError] = field(default_factory=list)
    layers_note: str = ""  # why per-layer errors are missing, when they are
    source: str = "Keras"  # the float model's format
    conversion_error: float | None = None  # ONNX: the converted float model's largest |difference| from ONNX Runtime

    @property
    def accuracy_drop(self) -> float | None:
        """Float minus int8 accuracy, in percentage points."""
        if self.float_accuracy is None or self.int8_accuracy is None:
            return None
        return 100.0 * (self.float_accuracy - self.int8_accuracy)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["accuracy_drop_points"] = self.accuracy_drop
        return d

    def text(self) -> str:
        lines = [f"Quantization report: float {self.source} model vs int8 model (TFLite Micro reference = generated C)",
                 f"  data: {self.data}, {self.samples} samples; {self.outputs_per_sample} output values per sample; "
                 f"I/O: {self.io}"]
        if self.conversion_error is not None:
            lines.append(f"  onnx2tf's float model vs ONNX Runtime: max |diff| {self.conversion_error:.3g} "
                         "(calibration data)")
        if self.top1_agreement is not None:
            lines.append(f"  top-1 agreement:  {100 * self.top1_agreement:.2f} %")
        if self.float_accuracy is not None:
            lines.append(f"  accuracy:         float {100 * self.float_accuracy:.2f} %   int8 "
                         f"{100 * self.int8_accuracy:.2f} %   ({-self.accuracy_drop:+.2f} points)")
        steps = self.max_abs_error / self.output_scale if self.output_scale else 0.0
        lines.append(f"  output error:     max {self.max_abs_error:.4g}, mean {self.mean_abs_error:.4g} "
                     f"(output step {self.output_scale:.4g}: max {steps:.1f} steps)")
        if self.layers:
            width = max(len("layer"), *(len(e.layer) for e in self.layers))
            lines.append("  per-layer error (each int8 layer on the float model's inputs to it):")
            lines.append(f"    {'layer':<{width}}  {'op':<18} {'max |err|':>10} {'rms err':>10} {'steps':>6}")
            for e in self.layers:
                lines.append(f"    {e.layer:<{width}}  {e.op:<18} {e.max_abs_error:>10.4g} {e.rms_error:>10.4g} "
                             f"{e.max_steps:>6.1f}")
        elif self.layers_note:
            lines.append(f"  per-layer error:  {self.layers_note}")
        return "\n".join(lines)


def quantize_input(x: np.ndarray, tensor: Tensor) -> np.ndarray:
    """Float samples → the int8 values an int8-input model takes, as TFLM's QUANTIZE computes them on x86
    (tg_quantize_f32_s8 does the same): round half away from zero, add the zero point; a quotient beyond int32
    or NaN becomes INT32_MIN, which a negative zero point wraps around to the top."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        v = (np.asarray(x, np.float32) / np.float32(tensor.scale)).astype(np.float64)
    inside = (v > -2.0 ** 31) & (v < 2.0 ** 31)  # False for NaN
    v = np.where(inside, v, 0.0)
    q = np.clip(np.sign(v) * np.floor(np.abs(v) + 0.5) + tensor.zero_point, -128, 127)
    return np.where(inside, q, 127 if tensor.zero_point < 0 else -128).astype(np.int8)


def dequantize_output(y: np.ndarray, tensor: Tensor) -> np.ndarray:
    """Model outputs as float: int8 outputs dequantized, float outputs unchanged."""
    if tensor.dtype == "int8":
        return ((y.astype(np.float32) - np.float32(tensor.zero_point)) * np.float32(tensor.scale)).astype(np.float32)
    return y.astype(np.float32)


def model_inputs(x: np.ndarray, tensor: Tensor) -> np.ndarray:
    """Float samples [N, *sample] → the model's input batch [N, *input_shape] in its input type."""
    x = np.asarray(x).reshape((len(x),) + tuple(tensor.shape))
    return quantize_input(x, tensor) if tensor.dtype == "int8" else np.ascontiguousarray(x, np.float32)


def class_labels(labels, samples: int, classes: int) -> np.ndarray:
    """Class ids [N] from ids or one-hot rows; refuses anything else with the expected shape."""
    y = np.asarray(labels)
    if y.ndim == 2 and y.shape == (samples, classes) and classes > 1:
        return y.argmax(axis=1)
    if y.ndim == 2 and y.shape[1] == 1:
        y = y[:, 0]
    if y.ndim != 1 or len(y) != samples or (y.dtype.kind not in "iub" and not np.all(y == np.round(y))):
        raise TinygenError(f"labels have shape {list(y.shape)} ({y.dtype}); the report needs class ids for "
                           f"{samples} samples", f"give integer labels of shape [{samples}] or one-hot "
                           f"[{samples}, {classes}]")
    return y.astype(np.int64)


def build_report(float_out: np.ndarray, int8_out: np.ndarray, output_scale: float, io: str, data: str,
                 labels=None, layers: list[LayerError] | None = None, layers_note: str = "", source: str = "Keras",
                 conversion_error: float | None = None) -> QuantReport:
    """Compare float outputs with dequantized int8 outputs ([N, ...] each)."""
    n = len(float_out)
    a = np.asarray(float_out, np.float64).reshape(n, -1)
    b = np.asarray(int8_out, np.float64).reshape(n, -1)
    per_sample = a.shape[1]
    err = np.abs(a - b)
    # Top-1 means something for classifiers only: labelled data, or outputs that are probability rows.
    classifier = per_sample > 1 and (labels is not None or (a.min() >= 0 and np.allclose(a.sum(1), 1, atol=1e-3)))
    top1 = float(np.mean(a.argmax(1) == b.argmax(1))) if classifier else None
    float_acc = int8_acc = None
    if labels is not None:
        if per_sample < 2:
            raise TinygenError("labels were given but the model has a single output value",
                               "labels are class ids for classifiers; leave them out for other models")
        y = class_labels(labels, n, per_sample)
        float_acc = float(np.mean(a.argmax(1) == y))
        int8_acc = float(np.mean(b.argmax(1) == y))
    return QuantReport(data, n, io, per_sample, top1, float_acc, int8_acc, float(err.max()), float(err.mean()),
                       float(output_scale), list(layers or []), layers_note, source, conversion_error)
