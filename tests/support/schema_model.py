"""Schema-level .tflite builder for tests: models assembled field by field through ai_edge_litert's schema
object API (no TensorFlow), `pack` for edited object trees, and the small seed models the fuzzer, the
bad-input tests and the C hygiene build start from."""
from __future__ import annotations

from typing import Callable

import flatbuffers
import numpy as np
from ai_edge_litert import schema_py_generated as schema

from tinygen.frontend.tflite import OPTIONS


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(w[:1].upper() + w[1:] for w in rest)


class SchemaModel:
    """A .tflite model assembled field by field: fuzzing seeds and bad-input tests without TensorFlow."""

    def __init__(self, name: str = "model"):
        self.sg = schema.SubGraphT()
        self.sg.tensors, self.sg.operators, self.sg.inputs, self.sg.outputs = [], [], [], []
        self.sg.name = name
        self.model = schema.ModelT()
        self.model.version = 3
        self.model.description = "tinygen schema-built model"
        self.model.subgraphs = [self.sg]
        self.model.buffers = [schema.BufferT()]  # buffer 0: the empty sentinel
        self.model.operatorCodes = []
        self._codes: dict[str, int] = {}

    def tensor(self, shape, dtype: str = "int8", scale=None, zero_point=0, data=None, axis: int = 0,
               name: str | None = None, variable: bool = False) -> int:
        t = schema.TensorT()
        t.isVariable = variable
        t.shape = [int(d) for d in shape]
        t.type = getattr(schema.TensorType, dtype.upper())
        t.name = name or f"t{len(self.sg.tensors)}"
        t.buffer = 0
        if data is not None:
            b = schema.BufferT()
            b.data = np.frombuffer(np.ascontiguousarray(data).tobytes(), np.uint8)
            self.model.buffers.append(b)
            t.buffer = len(self.model.buffers) - 1
        if scale is not None:
            q = schema.QuantizationParametersT()
            q.scale = [float(s) for s in np.atleast_1d(scale)]
            q.zeroPoint = [int(z) for z in np.broadcast_to(np.atleast_1d(zero_point), (len(q.scale),))]
            q.quantizedDimension = axis
            t.quantization = q
        self.sg.tensors.append(t)
        return len(self.sg.tensors) - 1

    def scale(self, t: int) -> float:
        """The (first) scale of tensor t."""
        return float(self.sg.tensors[t].quantization.scale[0])

    def op(self, kind: str, inputs, outputs, **options) -> int:
        if kind not in self._codes:
            code = schema.OperatorCodeT()
            code.builtinCode = getattr(schema.BuiltinOperator, kind)
            code.deprecatedBuiltinCode = min(code.builtinCode, 127)
            code.version = 1
            self.model.operatorCodes.append(code)
            self._codes[kind] = len(self.model.operatorCodes) - 1
        o = schema.OperatorT()
        o.opcodeIndex = self._codes[kind]
        o.inputs, o.outputs = list(inputs), list(outputs)
        if kind in OPTIONS:
            opts = getattr(schema, OPTIONS[kind] + "T")()
            for key, value in options.items():
                if not hasattr(opts, _camel(key)):
                    raise KeyError(f"{OPTIONS[kind]} has no field {key}")
                setattr(opts, _camel(key), value)
            o.builtinOptionsType = getattr(schema.BuiltinOptions, OPTIONS[kind])
            o.builtinOptions = opts
        self.sg.operators.append(o)
        return len(self.sg.operators) - 1

    def finish(self, inputs, outputs) -> bytes:
        self.sg.inputs, self.sg.outputs = list(inputs), list(outputs)
        return pack(self.model)


def pack(model: schema.ModelT) -> bytes:
    builder = flatbuffers.Builder(1024)
    builder.Finish(model.Pack(builder), file_identifier=b"TFL3")
    return bytes(builder.Output())


def _weights(rng, shape) -> np.ndarray:
    return rng.integers(-127, 128, size=shape).astype(np.int8)


def _bias(rng, n: int) -> np.ndarray:
    return rng.integers(-2000, 2000, size=n).astype(np.int32)


def fc_model(seed: int = 0, float_io: bool = False) -> bytes:
    """input [1, 16] → FULLY_CONNECTED(8, ReLU) → FULLY_CONNECTED(4); optionally float I/O around it."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("fc")
    s_in, zp_in = float(rng.uniform(0.01, 0.1)), int(rng.integers(-20, 20))
    x = m.tensor([1, 16], scale=s_in, zero_point=zp_in)
    first = x
    if float_io:
        first = m.tensor([1, 16], "float32")
        m.op("QUANTIZE", [first], [x])
    w1, s_w1 = m.tensor([8, 16], data=_weights(rng, (8, 16)), scale=0.01), 0.01
    b1 = m.tensor([8], "int32", data=_bias(rng, 8), scale=s_in * s_w1)
    s_h = float(rng.uniform(0.05, 0.2))
    h = m.tensor([1, 8], scale=s_h, zero_point=-128)
    m.op("FULLY_CONNECTED", [x, w1, b1], [h], fused_activation_function=1)
    scales = rng.uniform(0.005, 0.02, size=4)
    w2 = m.tensor([4, 8], data=_weights(rng, (4, 8)), scale=scales, zero_point=[0] * 4)
    b2 = m.tensor([4], "int32", data=_bias(rng, 4), scale=s_h * scales)
    y = m.tensor([1, 4], scale=float(rng.uniform(0.05, 0.3)), zero_point=int(rng.integers(-10, 10)))
    m.op("FULLY_CONNECTED", [h, w2, b2], [y])
    last = y
    if float_io:
        last = m.tensor([1, 4], "float32")
        m.op("DEQUANTIZE", [y], [last])
    return m.finish([first], [last])


def cnn_model(seed: int = 0) -> bytes:
    """[1,8,8,3] → CONV 3x3 (ReLU6) → DEPTHWISE 3x3/2 → MAX_POOL 2x2 → RESHAPE → FULLY_CONNECTED → SOFTMAX."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("cnn")
    s_in = float(rng.uniform(0.01, 0.05))
    x = m.tensor([1, 8, 8, 3], scale=s_in, zero_point=int(rng.integers(-10, 10)))
    ws = rng.uniform(0.002, 0.01, size=4)
    w = m.tensor([4, 3, 3, 3], data=_weights(rng, (4, 3, 3, 3)), scale=ws, zero_point=[0] * 4, axis=0)
    b = m.tensor([4], "int32", data=_bias(rng, 4), scale=s_in * ws)
    s_c = float(rng.uniform(0.02, 0.05))
    c = m.tensor([1, 8, 8, 4], scale=s_c, zero_point=-128)
    m.op("CONV_2D", [x, w, b], [c], padding=0, stride_w=1, stride_h=1, dilation_w_factor=1, dilation_h_factor=1,
         fused_activation_function=3)
    dws = rng.uniform(0.005, 0.02, size=4)
    dw = m.tensor([1, 3, 3, 4], data=_weights(rng, (1, 3, 3, 4)), scale=dws, zero_point=[0] * 4, axis=3)
    db = m.tensor([4], "int32", data=_bias(rng, 4), scale=s_c * dws)
    s_d = float(rng.uniform(0.02, 0.06))
    d = m.tensor([1, 4, 4, 4], scale=s_d, zero_point=int(rng.integers(-5, 5)))
    m.op("DEPTHWISE_CONV_2D", [c, dw, db], [d], padding=0, stride_w=2, stride_h=2, depth_multiplier=1,
         dilation_w_factor=1, dilation_h_factor=1)
    p = m.tensor([1, 2, 2, 4], scale=s_d, zero_point=m.sg.tensors[d].quantization.zeroPoint[0])
    m.op("MAX_POOL_2D", [d], [p], padding=1, stride_w=2, stride_h=2, filter_width=2, filter_height=2)
    shape = m.tensor([2], "int32", data=np.array([1, 16], np.int32))
    r = m.tensor([1, 16], scale=s_d, zero_point=m.sg.tensors[p].quantization.zeroPoint[0])
    m.op("RESHAPE", [p, shape], [r], new_shape=[1, 16])
    fw = m.tensor([5, 16], data=_weights(rng, (5, 16)), scale=0.01)
    fb = m.tensor([5], "int32", data=_bias(rng, 5), scale=s_d * 0.01)
    f = m.tensor([1, 5], scale=float(rng.uniform(0.05, 0.2)), zero_point=int(rng.integers(-10, 10)))
    m.op("FULLY_CONNECTED", [r, fw, fb], [f])
    y = m.tensor([1, 5], scale=1 / 256, zero_point=-128)
    m.op("SOFTMAX", [f], [y], beta=1.0)
    return m.finish([x], [y])


def float_cnn_model(seed: int = 0) -> bytes:
    """float32 [1,8,8,3] → CONV 3x3 SAME (ReLU6) → DEPTHWISE 3x3/2 without bias → MAX_POOL 2x2 → AVG_POOL 2x2
    SAME/1 → MEAN → RESHAPE → FULLY_CONNECTED (ReLU) → LOGISTIC → MUL, SUB, ADD (broadcast) → SOFTMAX."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("float_cnn")

    def values(*shape):
        return rng.standard_normal(shape).astype(np.float32)

    x = m.tensor([1, 8, 8, 3], "float32")
    c = m.tensor([1, 8, 8, 4], "float32")
    m.op("CONV_2D", [x, m.tensor([4, 3, 3, 3], "float32", data=values(4, 3, 3, 3)),
                     m.tensor([4], "float32", data=values(4))], [c], padding=0, stride_w=1, stride_h=1,
         dilation_w_factor=1, dilation_h_factor=1, fused_activation_function=3)
    d = m.tensor([1, 3, 3, 4], "float32")
    m.op("DEPTHWISE_CONV_2D", [c, m.tensor([1, 3, 3, 4], "float32", data=values(1, 3, 3, 4))], [d], padding=1,
         stride_w=2, stride_h=2, depth_multiplier=1, dilation_w_factor=1, dilation_h_factor=1)
    p = m.tensor([1, 2, 2, 4], "float32")
    m.op("MAX_POOL_2D", [d], [p], padding=1, stride_w=1, stride_h=1, filter_width=2, filter_height=2)
    a = m.tensor([1, 2, 2, 4], "float32")
    m.op("AVERAGE_POOL_2D", [p], [a], padding=0, stride_w=1, stride_h=1, filter_width=2, filter_height=2)
    g = m.tensor([1, 1, 1, 4], "float32")
    m.op("MEAN", [a, m.tensor([2], "int32", data=np.array([1, 2], np.int32))], [g], keep_dims=True)
    r = m.tensor([1, 4], "float32")
    m.op("RESHAPE", [g, m.tensor([2], "int32", data=np.array([1, 4], np.int32))], [r], new_shape=[1, 4])
    f = m.tensor([1, 5], "float32")
    m.op("FULLY_CONNECTED", [r, m.tensor([5, 4], "float32", data=values(5, 4)),
                             m.tensor([5], "float32", data=values(5))], [f], fused_activation_function=1)
    s1 = m.tensor([1, 5], "float32")
    m.op("LOGISTIC", [f], [s1])
    s2 = m.tensor([1, 5], "float32")
    m.op("MUL", [s1, m.tensor([5], "float32", data=values(5))], [s2])
    s3 = m.tensor([1, 5], "float32")
    m.op("SUB", [s2, f], [s3])
    s4 = m.tensor([1, 5], "float32")
    m.op("ADD", [s3, m.tensor([1, 1], "float32", data=values(1, 1))], [s4])
    y = m.tensor([1, 5], "float32")
    m.op("SOFTMAX", [s4], [y], beta=0.5)
    return m.finish([x], [y])


def mixed_model(seed: int = 0) -> bytes:
    """Elementwise and shape operators: AVG_POOL, ADD, MUL, CONCATENATION, RELU6, PAD, MEAN, LOGISTIC, TANH,
    HARD_SWISH on a [1,4,4,4] input."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("mixed")
    s, zp = float(rng.uniform(0.02, 0.05)), int(rng.integers(-10, 10))
    x = m.tensor([1, 4, 4, 4], scale=s, zero_point=zp)
    a = m.tensor([1, 4, 4, 4], scale=s, zero_point=zp)
    m.op("AVERAGE_POOL_2D", [x], [a], padding=0, stride_w=1, stride_h=1, filter_width=2, filter_height=2)
    s_b = float(rng.uniform(0.04, 0.08))
    b = m.tensor([1, 4, 4, 4], scale=s_b, zero_point=int(rng.integers(-10, 10)))
    m.op("ADD", [x, a], [b])
    c = m.tensor([1, 4, 4, 4], scale=s, zero_point=zp)
    m.op("MUL", [b, x], [c])
    d0 = m.tensor([1, 4, 4, 8], scale=s, zero_point=zp)
    m.op("CONCATENATION", [c, x], [d0], axis=3)
    d = m.tensor([1, 4, 4, 8], scale=s, zero_point=zp)
    m.op("RELU6", [d0], [d])  # CONCATENATION takes no fused activation: a RELU6 kernel of its own
    pads = m.tensor([4, 2], "int32", data=np.array([[0, 0], [1, 1], [1, 1], [0, 0]], np.int32))
    e = m.tensor([1, 6, 6, 8], scale=s, zero_point=zp)
    m.op("PAD", [d, pads], [e])
    axes = m.tensor([2], "int32", data=np.array([1, 2], np.int32))
    f = m.tensor([1, 1, 1, 8], scale=float(rng.uniform(0.01, 0.03)), zero_point=int(rng.integers(-10, 10)))
    m.op("MEAN", [e, axes], [f], keep_dims=True)
    g = m.tensor([1, 1, 1, 8], scale=1 / 256, zero_point=-128)
    m.op("LOGISTIC", [f], [g])
    h = m.tensor([1, 1, 1, 8], scale=1 / 128, zero_point=0)
    m.op("TANH", [g], [h])
    y = m.tensor([1, 1, 1, 8], scale=float(rng.uniform(0.005, 0.01)), zero_point=int(rng.integers(-10, 10)))
    m.op("HARD_SWISH", [h], [y])
    return m.finish([x], [y])


def float_lstm_model(seed: int = 0, batch: int = 1, time: int = 3, input_size: int = 4, units: int = 5,
                     time_major: bool = False, cell_clip: float = 0.0) -> bytes:
    """A float32 LSTM from the schema builder: random weights of a scale that keeps the gates away from
    saturation, the hidden and cell states float32 variables."""
    rng = np.random.default_rng(seed)
    m = SchemaModel("lstm_f32")
    x = m.tensor([time, batch, input_size] if time_major else [batch, time, input_size], "float32")

    def matrix(depth: int) -> int:
        return m.tensor([units, depth], "float32", data=rng.normal(0, 1 / np.sqrt(depth), (units, depth))
                        .astype(np.float32))

    w_x, w_h = [matrix(input_size) for _ in range(4)], [matrix(units) for _ in range(4)]
    biases = [m.tensor([units], "float32", data=rng.normal(0, 0.5, units).astype(np.float32)) for _ in range(4)]
    hidden = m.tensor([batch, units], "float32", variable=True)
    cell = m.tensor([batch, units], "float32", variable=True)
    y = m.tensor([time, batch, units] if time_major else [batch, time, units], "float32")
    m.op("UNIDIRECTIONAL_SEQUENCE_LSTM", [x, *w_x, *w_h, -1, -1, -1, *biases, -1, -1, hidden, cell, -1, -1, -1, -1],
         [y], fused_activation_function=4, cell_clip=cell_clip, time_major=time_major)  # the cell gate: TANH
    return m.finish([x], [y])


def operator_examples() -> dict[str, Callable[[], bytes]]:
    """Every operator folder's example model (OpDef.example), built through SchemaModel: "op_<folder>"."""
    from tinygen.ops import REGISTRY

    examples = {}
    for d in sorted({id(d): d for d in REGISTRY.values()}.values(), key=lambda d: d.name):
        if d.example is not None and d.example.__module__ == f"tinygen.ops.{d.name}":  # shared ones once
            examples[f"op_{d.name}"] = d.example
    return {name: (lambda name=name, make=make, k=k: make(SchemaModel(name), np.random.default_rng(100 + k)))
            for k, (name, make) in enumerate(examples.items())}


# Fuzzing seeds, the hygiene build's models and the per-operator TFLM comparison (tests/compiler/test_fuzz.py).
SCHEMA_SEEDS: dict[str, Callable[[], bytes]] = {
    "fc": lambda: fc_model(1), "fc_float_io": lambda: fc_model(2, float_io=True), "cnn": lambda: cnn_model(3),
    "mixed": lambda: mixed_model(4), "float_cnn": lambda: float_cnn_model(5),
    "lstm_float": lambda: float_lstm_model(6, cell_clip=0.5), **operator_examples(),
}


def shape_op_model(kind: str, x_shape, y_shape, operands=(), placement: str = "between", **options) -> bytes:
    """One int8 operator that only moves bytes (RESHAPE, SQUEEZE, EXPAND_DIMS, TRANSPOSE), from x_shape to
    y_shape, with constant int32 `operands` after its input. placement "between": RELU6 before and after it (its
    output can alias its input); "alone": from the model's input to its output (a copy); "constant": applied to
    a constant and added to the input (it folds)."""
    rng = np.random.default_rng(1)
    m = SchemaModel(kind.lower())
    q = {"scale": 0.05, "zero_point": 3}
    x = m.tensor(x_shape, **q, data=rng.integers(-128, 128, x_shape).astype(np.int8)
                 if placement == "constant" else None)
    first = x
    if placement == "between":
        first = m.tensor(x_shape, **q)
        m.op("RELU6", [x], [first])
    args = [m.tensor(np.shape(v), "int32", data=np.asarray(v, np.int32)) for v in operands]
    y = m.tensor(y_shape, **q)
    m.op(kind, [first, *args], [y], **options)
    if placement == "alone":
        return m.finish([x], [y])
    z = m.tensor(y_shape, **q)
    if placement == "between":
        m.op("RELU6", [y], [z])
        return m.finish([x], [z])
    s = m.tensor(y_shape, scale=0.1, zero_point=-3)
    m.op("ADD", [z, y], [s])
    return m.finish([z], [s])
