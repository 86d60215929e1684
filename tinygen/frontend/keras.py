"""Keras models → full-integer int8 .tflite through TensorFlow's converter (post-training quantization).

TensorFlow is imported here only, and only once a Keras model is actually given: the .tflite path never pays
for it. The model is exported with a fixed batch of 1 so the converter folds every shape computation (Keras 3's
Flatten would otherwise become SHAPE/STRIDED_SLICE/PACK ops). Conversion is int8 only
(TFLITE_BUILTINS_INT8: per-channel int8 weights, int8 activations); with io="float" the model keeps float I/O
and carries QUANTIZE/DEQUANTIZE at its edges, with io="int8" its I/O is int8.
"""
from __future__ import annotations

import contextlib
import importlib
from io import StringIO
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .. import contain, progress
from ..arrays import load_array
from ..errors import TinygenError
from ..ir import Graph
from ..passes.float_data_movement import float_data_movement
from . import pruning

KERAS_SUFFIXES = (".keras", ".h5", ".hdf5")
IO_TYPES = ("float", "int8")
# The converter crashes the process (segfault) on recurrent loops under int8-only conversion: refuse first.
_CONTROL_FLOW = {"While", "StatelessWhile", "If", "StatelessIf", "Case", "StatelessCase"}
# Operators that convert or move float values without computing in float: a float resource variable (the
# converter keeps a stateful RNN's state in float) is read, quantized, dequantized and assigned bit for bit.
_EDGE_OPS = {"QUANTIZE", "DEQUANTIZE", "VAR_HANDLE", "READ_VARIABLE", "ASSIGN_VARIABLE", "CALL_ONCE"}
DEBUGGER_STAGE = "running the quantization debugger"

HOW_TO_QUANTIZE = ("quantize it to full-integer int8: give tinygen calibration data with the model (tinygen build "
                   "model.tflite --calibration calib.npy, likewise for a .keras model, or tinygen.compile(model, "
                   "calibration=x)), or convert with tf.lite.TFLiteConverter using optimizations=[DEFAULT], "
                   "a representative_dataset and supported_ops=[TFLITE_BUILTINS_INT8]")


def is_keras_path(path) -> bool:
    """A .keras/.h5 file or a SavedModel directory (anything else goes to the .tflite reader)."""
    path = Path(path)
    return path.is_dir() or path.suffix.lower() in KERAS_SUFFIXES


def _keras_of(model):
    """The Keras package a model belongs to: keras (Keras 3), or tf_keras (Keras 2, which TensorFlow Model
    Optimization builds on); each exports only its own models."""
    return importlib.import_module(next(_keras_packages(model)))


def _keras_packages(obj):
    """The Keras packages among the top-level packages of obj's classes (a subclassed model's own is not)."""
    return (top for top in (c.__module__.split(".")[0] for c in type(obj).__mro__) if top in ("keras", "tf_keras"))


def is_keras_object(obj) -> bool:
    """A Keras model object, recognised without importing TensorFlow."""
    return next(_keras_packages(obj), None) is not None


def float_ops(graph: Graph) -> list:
    """Operators that compute in float (anything but QUANTIZE/DEQUANTIZE touching a float32 activation; float data
    movement between them runs on the int8 bytes)."""
    found = []
    graph = float_data_movement(graph)
    for op in graph.ops:
        if op.kind in _EDGE_OPS:
            continue
        tensors = [graph.tensors[t] for t in op.inputs + op.outputs if t >= 0]
        if any(t.dtype == "float32" and not t.is_const for t in tensors):
            found.append(op)
    return found


def refuse_float_model(graph: Graph, source) -> None:
    """A float32 operator compiles where tinygen has its float kernel (the registry's types say "float32");
    otherwise (or for dynamic-range quantization) the model is refused with how to quantize it."""
    from ..ops import REGISTRY

    def has_float_kernel(op) -> bool:  # or folds at compile time (SHAPE of a float tensor): refused later if not
        definition = REGISTRY.get(op.kind)
        return definition is not None and (definition.float_kernel or definition.lower is None)

    ops = [op for op in float_ops(graph) if not has_float_kernel(op)]
    if ops:
        listed = ", ".join(f"{op.kind} (operator {op.index})" for op in ops[:4]) + (" ..." if len(ops) > 4 else "")
        what = "a float model" if not any(t.dtype == "int8" for t in graph.tensors) else "not fully int8-quantized"
        float_kinds = ", ".join(sorted(k for k, d in REGISTRY.items() if d.float_kernel))
        raise TinygenError(f"{source} is {what}: {listed} compute{'s' if len(ops) == 1 else ''} in float32, and "
                           f"tinygen's float kernels cover only {float_kinds}", HOW_TO_QUANTIZE)


@contextlib.contextmanager
def captured_stderr():
    """TensorFlow's C++ side logs to file descriptor 2; keep it for error messages instead of the user's terminal."""
    log = {"text": ""}
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        saved = os.dup(2)
        os.dup2(tmp.fileno(), 2)
        try:
            yield log
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            tmp.seek(0)
            log["text"] = tmp.read().decode(errors="replace")


def _tracked(samples: np.ndarray):
    """A representative dataset (one-sample batches) that reports its progress to the parent's bar; each pass
    over it starts the bar again."""
    def dataset():
        for i, s in enumerate(samples):
            contain.report_progress(i)
            yield [s[np.newaxis]]
        contain.report_progress(len(samples))
    return dataset


def _tensorflow():
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        with captured_stderr():
            import tensorflow as tf
            import keras
    except ImportError as e:
        raise TinygenError(f"Keras models need TensorFlow ({e})", 'pip install -e ".[keras]"') from None
    return tf, keras


def _shape_text(shape) -> str:
    return "[" + ", ".join("N" if d is None else str(d) for d in shape) + "]"


@dataclass
class Conversion:
    """What the converter made: the int8 .tflite, per-layer errors (dicts for report_quant.LayerError; none
    unless asked for) and why they are missing, if they are."""
    tflite: bytes
    layers: list[dict]
    layers_note: str = ""


@dataclass
class KerasModel:
    """A loaded Keras model: float predictions, calibration checks, int8 conversion."""
    kind = "Keras"  # named in messages and the quantization report
    default_io = "float"  # the int8 model's inputs and outputs unless asked otherwise
    model: object  # keras.Model
    name: str
    input_shape: tuple | None  # one sample's shape; None dims (or None) are taken from the calibration data

    # ---- float reference ----
    def predict(self, x: np.ndarray, batch: int = 256) -> np.ndarray:
        """Float outputs of independent samples: a stateful model (batch size fixed at 1) runs them one by one,
        its state reset before each, as the int8 model's are compared."""
        if self.stateful_layers():
            outs = []
            for i in range(len(x)):
                self.reset_states()
                outs.append(np.asarray(self._output(self.model(x[i:i + 1], training=False))))
            self.reset_states()
        else:
            outs = [np.asarray(self._output(self.model(x[i:i + batch], training=False)))
                    for i in range(0, len(x), batch)]
        return np.concatenate(outs).astype(np.float32)

    def stateful_layers(self) -> list:
        """Layers that keep state between calls (a Keras RNN with stateful=True)."""
        return [layer for layer in self._all_layers() if getattr(layer, "stateful", False)]

    def reset_states(self) -> None:
        """Every stateful layer back to its zero state (the export's variables start from it)."""
        for layer in self.stateful_layers():
            (getattr(layer, "reset_state", None) or layer.reset_states)()

    def recurrent_layers(self) -> list:
        """Keras recurrent layers (SimpleRNN, GRU, LSTM, any keras.layers.RNN), whose conversion may crash."""
        return [layer for layer in self._all_layers()
                if any(c.__name__ in ("RNN", "Bidirectional") for c in type(layer).__mro__)]

    def _all_layers(self) -> list:
        found, stack = [], [self.model]
        while stack:
            layer = stack.pop()
            for sub in getattr(layer, "layers", []) or []:
                found.append(sub)
                stack.append(sub)
        return found

    def _output(self, y):
        if isinstance(y, dict):
            y = list(y.values())
        if isinstance(y, (list, tuple)):
            if len(y) != 1:
                raise TinygenError(f"Keras model '{self.name}' has {len(y)} outputs; tinygen compiles "
                                   "single-output models", "export a model with one output")
            y = y[0]
        return y

    # ---- calibration data ----
    def calibration(self, data) -> np.ndarray:
        """The calibration samples (array or .npy/.npz path), checked; their absence is an error."""
        if data is None:
            raise TinygenError(f"'{self.name}' is a float {self.kind} model: int8 quantization needs calibration data",
                               "pass --calibration calib.npy (CLI) or calibration=x (Python): a few hundred "
                               "representative float input samples")
        if isinstance(data, (str, Path)):
            data = load_array(data, "calibration")
        return self.check_samples(data, "calibration")

    def check_samples(self, x, what: str = "calibration") -> np.ndarray:
        """[N, *input_shape] float32 samples, or a TinygenError that gives the expected shape."""
        x = np.asarray(x)
        expected = _shape_text((None,) + tuple(self.input_shape or ()))
        if x.dtype.kind not in "f":
            raise TinygenError(f"{what} data is {x.dtype}; the model's input is float32 {expected}",
                               "give float samples preprocessed exactly as for training, e.g. x.astype('float32')")
        shape = self.input_shape
        if x.ndim < 2:
            raise TinygenError(f"{what} data has shape {list(x.shape)}; the model expects {expected}",
                               f"give an array of shape {expected} (N samples)")
        if shape is not None:
            sample = tuple(x.shape[1:])
            if len(sample) != len(shape) or any(d is not None and d != s for d, s in zip(shape, sample)):
                fix = f"give an array of shape {expected} (N samples)"
                per_sample = int(np.prod([d for d in shape if d is not None]))
                if None not in shape and len(x) and x.size // len(x) == per_sample:
                    fix += f", e.g. x.reshape({', '.join(['-1'] + [str(d) for d in shape])})"
                raise TinygenError(f"{what} data has shape {list(x.shape)}; the model expects {expected}", fix)
        if len(x) == 0:
            raise TinygenError(f"{what} data holds no samples", f"give at least one sample of shape {expected}")
        if not np.all(np.isfinite(x)):
            raise TinygenError(f"{what} data contains NaN or infinite values", "clean the samples first")
        return np.ascontiguousarray(x, dtype=np.float32)

    # ---- int8 conversion ----
    def quantize(self, calibration: np.ndarray, io: str = "float", debug_samples: np.ndarray | None = None) \
            -> Conversion:
        """Full-integer int8 .tflite bytes; refuses (naming the layers) what the converter leaves in float.
        With `debug_samples`, also each layer's int8 error from TensorFlow's QuantizationDebugger.

        The model is exported here; the converter and the debugger run in a child process (tinygen.contain):
        their native code can crash, which then becomes a TinygenError naming the step."""
        tf, _ = _tensorflow()
        if io not in IO_TYPES:
            raise TinygenError(f"unknown I/O type '{io}'", "use io='float' or io='int8'")
        sample_shape = tuple(calibration.shape[1:])
        self._refuse_control_flow(tf, sample_shape)
        self.reset_states()  # a stateful layer's variables enter the model as its initial state
        with tempfile.TemporaryDirectory(prefix="tinygen_keras_") as export_dir:
            self._export(tf, sample_shape, export_dir)
            try:
                reply = self._convert(export_dir, calibration, io, debug_samples)
            except contain.StepCrashed as e:
                if e.stage != DEBUGGER_STAGE:
                    raise
                # The debugger is a diagnostic: convert again without it, and say why the report lacks it.
                reply = self._convert(export_dir, calibration, io, None)
                reply["layers_note"] = f"unavailable (TensorFlow's quantization debugger crashed: {e.problem})"
        if "error" in reply:
            raise self._conversion_error(*reply["error"])
        self._refuse_float_layers(reply["tflite"])
        layers = [dict(row, layer=self.layer_of(row.pop("tensor_name"))) for row in reply["layers"]]
        return Conversion(reply["tflite"], layers, reply["layers_note"])

    def _convert(self, export_dir: str, calibration: np.ndarray, io: str, debug_samples) -> dict:
        try:
            return self._convert_contained(export_dir, calibration, io, debug_samples)
        except contain.StepCrashed as e:
            recurrent = self.recurrent_layers()
            if not recurrent or e.stage == DEBUGGER_STAGE:
                raise
            # The converter's native crashes on recurrent models: say which layers they are.
            listed = ", ".join(f"'{layer.name}' ({type(layer).__name__})" for layer in recurrent)
            raise contain.StepCrashed(f"{e.problem.removesuffix('; tinygen wrote nothing')} on the recurrent "
                                      f"layer{'s' if len(recurrent) > 1 else ''} {listed}; tinygen wrote nothing",
                                      "build the recurrent layers with unroll=True and a fixed sequence length, "
                                      "and check the calibration data", e.stage) from None

    def _convert_contained(self, export_dir: str, calibration: np.ndarray, io: str, debug_samples) -> dict:
        with progress.bar("calibrating (int8 quantization)", len(calibration)) as bar:
            return contain.run("tinygen.frontend.keras:convert_saved_model",
                               f"TensorFlow's int8 conversion of '{self.name}'",
                               "check the calibration data (values far outside the training data's range can "
                               "crash the converter) and that the model runs in TensorFlow on it",
                               export_dir, calibration, io, debug_samples, bar=bar)

    def _export(self, tf, sample_shape: tuple, export_dir: str) -> None:
        package = _keras_of(self.model)
        archive = package.export.ExportArchive()
        archive.track(self.model)
        model = self.model
        archive.add_endpoint("serve", lambda x: model(x, training=False),
                             [tf.TensorSpec((1,) + sample_shape, tf.float32)])
        # tf_keras's write_out has no `verbose` and prints what it saved: that goes nowhere
        quiet = {"verbose": False} if package.__name__ == "keras" else {}
        with captured_stderr(), contextlib.redirect_stdout(StringIO()):
            try:
                archive.write_out(export_dir, **quiet)
            except Exception as e:  # noqa: BLE001 - anything Keras raises here is a model the exporter refuses
                raise TinygenError(f"Keras could not export '{self.name}' for conversion: {first_line(e)}",
                                   "check that the model runs on one sample of the calibration data") from None

    # ---- naming what the converter cannot make int8 ----
    def layer_names(self) -> list[str]:
        names, stack = [], [self.model]
        while stack:
            layer = stack.pop()
            for sub in getattr(layer, "layers", []) or []:
                names.append(sub.name)
                stack.append(sub)
        return names

    def layer_of(self, tf_name: str) -> str:
        """The Keras layer(s) a TensorFlow tensor name belongs to: 'functional_1/conv2d_1/Relu' → 'conv2d'; a fused
        operator's 'm/re_lu_1/Relu;m/batch_normalization_1/...;m/conv2d_1/convolution' → 'conv2d+batch_normalization+re_lu'."""
        found = []
        for part in tf_name.split(";"):
            layer = self._layer_of(part)
            if layer not in found:
                found.append(layer)
        order = {name: i for i, name in enumerate(self.layer_names())}
        return "+".join(sorted(found, key=lambda n: order.get(n, len(order))))

    def _layer_of(self, tf_name: str) -> str:
        names = set(self.layer_names())
        parts = tf_name.split("/")
        for part in parts[1:-1] or parts[:-1]:
            # TensorFlow uniquifies the scope of every layer in the traced export: 'conv2d' → 'conv2d_1',
            # 'conv2d_1' → 'conv2d_1_2'. So the name with one numeric suffix removed comes first.
            base = re.sub(r"_\d+$", "", part)
            if base in names:
                return base
            if part in names:
                return part
        if len(parts) >= 3:  # Keras 3 scopes ops as model/layer/op (a SavedModel's layers are not known here)
            return re.sub(r"_\d+$", "", parts[1])
        if len(parts) == 1 and tf_name.startswith("StatefulPartitionedCall"):  # the model's output tensor
            layers = getattr(self.model, "layers", None) or []
            last = layers[-1] if layers else None
            return "output" if last is None or type(last).__name__ == "TFSMLayer" else last.name
        return tf_name

    def _refuse_control_flow(self, tf, sample_shape: tuple) -> None:
        model = self.model
        fn = tf.function(lambda x: model(x, training=False))
        with captured_stderr():
            graph = fn.get_concrete_function(tf.TensorSpec((1,) + sample_shape, tf.float32)).graph.as_graph_def()
        nodes = list(graph.node) + [n for f in graph.library.function for n in f.node_def]
        found = {}
        for node in nodes:
            if node.op in _CONTROL_FLOW:
                found.setdefault(self.layer_of(node.name), node.op)
        if found:
            listed = ", ".join(f"'{layer}' ({op})" for layer, op in found.items())
            raise TinygenError(f"the converter cannot make these layers int8: {listed}; recurrent layers become "
                               "control flow", "build the recurrent layers with unroll=True (a fixed number of "
                               "time steps): the converter then emits plain int8 operators")

    def _conversion_error(self, error: str, log: str) -> TinygenError:
        text = f"{error}\n{log}"
        ops = sorted(set(re.findall(r"'tf\.(\w+)' op is neither a custom op nor a flex op", text)))
        if ops:
            layers = []
            for op in ops:
                m = re.search(r'fused\["' + re.escape(op) + r':", "([^"@]+)', text)
                layers.append(f"'{self.layer_of(m.group(1))}' ({op})" if m else op)
            return TinygenError(f"the converter cannot make these layers int8: {', '.join(layers)}",
                                "replace them with layers TensorFlow Lite has int8 kernels for")
        return TinygenError(f"TensorFlow's converter failed on '{self.name}': {first_line(error)}",
                            "check that the model runs in TensorFlow on the calibration data")

    def _refuse_float_layers(self, tflite: bytes) -> None:
        from .tflite import read_tflite

        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.tflite"
            path.write_bytes(tflite)
            graph = read_tflite(path)
        ops = float_ops(graph)
        if ops:
            layers = {}
            for op in ops:
                name = graph.tensors[op.outputs[0]].name if op.outputs else ""
                layers.setdefault(self.layer_of(name), op.kind)
            listed = ", ".join(f"'{layer}' ({kind})" for layer, kind in layers.items())
            raise TinygenError(f"the converter cannot make these layers int8 (it left them in float32): {listed}",
                               "replace them with layers TensorFlow Lite has int8 kernels for")


def first_line(error) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0][:300] if lines else type(error).__name__


# ---- in the child process (tinygen.contain): TensorFlow's converter and debugger on the exported model ----

def convert_saved_model(export_dir: str, calibration: np.ndarray, io: str, debug_samples: np.ndarray | None) -> dict:
    """{"tflite": bytes, "layers": [rows], "layers_note": str}, or {"error": (message, TensorFlow's log)} when
    the converter refuses the model. Layer rows name TensorFlow tensors; the parent maps them to Keras layers."""
    tf, _ = _tensorflow()

    def converter():
        c = tf.lite.TFLiteConverter.from_saved_model(export_dir)
        c.optimizations = [tf.lite.Optimize.DEFAULT]
        c.target_spec.supported_ops = [tf.lite.OpsSet.TFLITE_BUILTINS_INT8]
        c.representative_dataset = _tracked(calibration)
        if io == "int8":
            c.inference_input_type = tf.int8
            c.inference_output_type = tf.int8
        return c

    contain.report_stage("calibrating and converting")
    with captured_stderr() as log:
        try:
            tflite = converter().convert()
        except Exception as e:  # noqa: BLE001 - ConverterError, RuntimeError, ValueError from calibration
            tflite, error = None, str(e) or type(e).__name__
    if tflite is None:
        return {"error": (error, log["text"])}
    layers, note = [], ""
    if debug_samples is not None:
        contain.report_stage(DEBUGGER_STAGE)
        try:
            layers = _layer_statistics(tf, converter(), debug_samples)
        except Exception as e:  # noqa: BLE001 - the debugger is a diagnostic: the report stands without it
            note = f"unavailable (TensorFlow's quantization debugger failed: {first_line(e)[:200]})"
    return {"tflite": bytes(tflite), "layers": layers, "layers_note": note}


def _layer_statistics(tf, converter, samples: np.ndarray) -> list[dict]:
    """Per-layer int8 error from TensorFlow's QuantizationDebugger: each quantized layer is run on the float
    model's inputs to it, so errors do not accumulate."""
    import csv
    import io as io_module
    import warnings

    with captured_stderr(), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf.lite.Interpreter's deprecation notice
        debugger = tf.lite.experimental.QuantizationDebugger(converter=converter, debug_dataset=_tracked(samples))
        debugger.run()
        dump = io_module.StringIO()
        debugger.layer_statistics_dump(dump)
    return [dict(tensor_name=row["tensor_name"], op=row["op_name"], max_abs_error=float(row["max_abs_error"]),
                 rms_error=float(np.sqrt(float(row["mean_squared_error"]))), scale=float(row["scale"]))
            for row in csv.DictReader(io_module.StringIO(dump.getvalue()))]


def load_keras(source) -> KerasModel:
    """A Keras model object, a .keras/.h5 file or a SavedModel directory."""
    tf, keras = _tensorflow()
    if is_keras_object(source):
        model, name = source, source.name
    else:
        path = Path(source)
        if not path.exists():
            raise TinygenError(f"{path}: no such file or directory", "check the model path")
        name = path.stem if path.is_file() else path.name
        if path.is_dir():
            model = _load_saved_model(tf, keras, path)
        else:
            error = None
            with captured_stderr():
                try:
                    model = keras.models.load_model(path, compile=False)
                except Exception as e:  # noqa: BLE001 - unknown layers, corrupt files, wrong format
                    error = e
                if error is not None and pruning.mentions_wrappers(error):
                    model, error = pruning.load_stripped(path), None
            if error is not None:
                raise TinygenError(f"Keras cannot load {path}: {first_line(error)}",
                                   "custom layers must be registered (keras.saving.register_keras_serializable), "
                                   "or pass the model object to tinygen.compile") from None
    if pruning.has_wrappers(model):
        model = pruning.strip(model)
    try:  # subclassed models have no symbolic inputs: their sample shape comes from the calibration data
        inputs, outputs = list(model.inputs), list(model.outputs)
    except (AttributeError, ValueError, TypeError):
        inputs, outputs = None, None
    if inputs is not None and len(inputs) != 1:
        raise TinygenError(f"Keras model '{name}' has {len(inputs)} inputs; tinygen compiles single-input models",
                           "export a model with one input")
    if outputs is not None and len(outputs) != 1:
        raise TinygenError(f"Keras model '{name}' has {len(outputs)} outputs; tinygen compiles single-output "
                           "models", "export a model with one output")
    shape = tuple(None if d is None else int(d) for d in inputs[0].shape[1:]) if inputs else None
    return KerasModel(model, name, shape)


def _load_saved_model(tf, keras, path: Path):
    """A SavedModel directory as a Keras model with a fixed batch of 1 (so the export has static shapes)."""
    if not (path / "saved_model.pb").exists():
        raise TinygenError(f"{path} is a directory but not a SavedModel (no saved_model.pb)",
                           "pass a .keras/.h5 file, a SavedModel directory or an int8 .tflite file")
    with captured_stderr():
        loaded = tf.saved_model.load(str(path))
    signatures = dict(loaded.signatures)
    if not signatures:
        raise TinygenError(f"SavedModel {path} has no signatures", "export it with model.export(path)")
    endpoint = "serving_default" if "serving_default" in signatures else sorted(signatures)[0]
    args, kwargs = signatures[endpoint].structured_input_signature
    specs = list(args) + list(kwargs.values())
    if len(specs) != 1:
        raise TinygenError(f"SavedModel {path} has {len(specs)} inputs; tinygen compiles single-input models",
                           "export a model with one input")
    shape = specs[0].shape[1:]
    if any(d is None for d in shape):
        raise TinygenError(f"SavedModel {path} has a dynamic input shape {_shape_text(specs[0].shape)}",
                           "export it with a fixed sample shape")
    layer = keras.layers.TFSMLayer(str(path), call_endpoint=endpoint)
    x = keras.Input(shape=tuple(shape), batch_size=None)
    y = layer(x)
    if isinstance(y, dict):
        if len(y) != 1:
            raise TinygenError(f"SavedModel {path} has {len(y)} outputs; tinygen compiles single-output models",
                               "export a model with one output")
        y = next(iter(y.values()))
    return keras.Model(x, y, name=path.name)

