"""Read a .tflite flatbuffer into the IR through the schema module that ships with ai_edge_litert.

No rewrites happen here: the IR mirrors the file; passes change it afterwards.

The file is untrusted. The reader walks it lazily through the schema's accessor API (never the object API,
which decodes everything, metadata included) and treats whatever the flatbuffers runtime raises on bad offsets
as a corrupted model. Every vector is bounds-checked against the file before it is decoded, and the total
number of decoded elements may not exceed the file size: a flatbuffer whose tables share one vector many times
over (legal for the format, never written by the converter) would otherwise take quadratic time.
"""
from __future__ import annotations

import math
import struct
from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as schema
from flatbuffers import encode, packer

from ..errors import TinygenError, corrupted
from ..ir import Graph, Op, Quant, Tensor
from ..ops import REGISTRY
from ..limits import MAX_OPERATORS, MAX_TENSORS

_TENSOR_TYPES = {getattr(schema.TensorType, n): n.lower() for n in dir(schema.TensorType) if n.isupper()}
_OP_NAMES = {getattr(schema.BuiltinOperator, n): n for n in dir(schema.BuiltinOperator) if n.isupper()}
_NUMPY = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
          "float32": np.float32, "bool": np.bool_}
SCHEMA_VERSION = 3

# The builtin-options table each operator tinygen reads (lowered or folded) must carry (ops/*/ OpDef.options).
# A different table means a corrupted file; none means the schema's defaults, as flatbuffers defines for
# absent fields.
OPTIONS = {kind: table for d in REGISTRY.values() for kind, table in d.options.items() if table is not None}
_NO_OPTIONS = {kind for d in REGISTRY.values() for kind, table in d.options.items() if table is None}

# vtable offsets of the two strings read here (schema.fbs field slot k sits at 4 + 2k).
_TENSOR_NAME, _OPCODE_CUSTOM_CODE = 10, 6
_NAME_LIMIT = 256

# What the flatbuffers runtime and numpy raise on offsets and lengths that do not fit the file.
_DECODE_ERRORS = (IndexError, KeyError, struct.error, ValueError, TypeError, OverflowError, RecursionError,
                  MemoryError, AttributeError)


def _camel_to_snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


class _Reader:
    def __init__(self, raw: bytes, source: str):
        self.raw = raw
        self.source = source
        self.budget = len(raw) + 4096  # decoded vector elements still allowed (see module docstring)
        self.buffers: dict[int, np.ndarray | None] = {}

    def fail(self, detail: str) -> TinygenError:
        return corrupted(detail, self.source)

    def spend(self, count: int, what: str) -> int:
        """Account for decoding `count` elements of `what`; refuse vectors the file cannot hold."""
        if count < 0 or count > len(self.raw):
            raise self.fail(f"{what} claims {count} entries in a {len(self.raw)}-byte file")
        self.budget -= count
        if self.budget < 0:
            raise self.fail(f"{what}: the file's tables overlap (more entries than bytes)")
        return count

    def vector(self, length: int, as_numpy, what: str) -> np.ndarray:
        self.spend(length, what)
        if length == 0:
            return np.zeros(0, np.int64)
        return as_numpy()

    def string(self, table, vt_offset: int, what: str) -> str:
        """A string field, copying at most _NAME_LIMIT bytes whatever length the file claims."""
        tab = table._tab
        o = tab.Offset(vt_offset)
        if not o:
            return ""
        start = o + tab.Pos
        start += encode.Get(packer.uoffset, self.raw, start)
        length = encode.Get(packer.uoffset, self.raw, start)
        if start + 4 + length > len(self.raw):
            raise self.fail(f"{what} runs past the end of the file")
        self.spend(min(length, _NAME_LIMIT), what)
        return bytes(self.raw[start + 4:start + 4 + min(length, _NAME_LIMIT)]).decode("utf-8", errors="replace")

    def buffer(self, model, index: int) -> np.ndarray | None:
        """The bytes of buffer `index` (None when empty), decoded once however many tensors share it."""
        if index in self.buffers:
            return self.buffers[index]
        buf = model.Buffers(index)
        data = None
        n = buf.DataLength()
        if n:
            data = self.vector(n, buf.DataAsNumpy, f"buffer {index}")
        elif buf.Offset() > 1:  # large models keep data after the flatbuffer
            offset, size = buf.Offset(), buf.Size()
            if offset + size > len(self.raw):
                raise self.fail(f"buffer {index} lies outside the file")
            data = np.frombuffer(self.raw, np.uint8, count=size, offset=offset) if size else None
        self.buffers[index] = data
        return data


def _options(reader: _Reader, op, kind: str, k: int) -> dict:
    """Builtin options as a plain dict with snake_case keys (e.g. stride_w, fused_activation_function)."""
    kind_of = op.BuiltinOptionsType()
    expected = OPTIONS.get(kind)
    if kind in _NO_OPTIONS:
        return {}
    if expected is not None and kind_of not in (schema.BuiltinOptions.NONE, getattr(schema.BuiltinOptions,
                                                                                    expected)):
        raise reader.fail(f"operator {k} ({kind}) carries options of type {kind_of}, not {expected}")
    if kind_of == schema.BuiltinOptions.NONE:
        if expected is None:
            return {}
        options = getattr(schema, expected + "T")()
    else:
        options = schema.BuiltinOptionsCreator(kind_of, op.BuiltinOptions())
        if options is None:
            return {}
    out = {}
    for key, value in vars(options).items():
        if isinstance(value, np.ndarray):
            reader.spend(value.size, f"operator {k} option {key}")
            value = value.copy()
        out[_camel_to_snake(key)] = value
    return out


def _quant(reader: _Reader, t, i: int, rank: int) -> Quant | None:
    q = t.Quantization()
    if q is None:
        return None
    if q.DetailsType() != schema.QuantizationDetails.NONE:
        raise TinygenError(f"tensor {i} uses custom quantization details", "quantize with the standard int8 scheme")
    scale = reader.vector(q.ScaleLength(), q.ScaleAsNumpy, f"tensor {i} scales")
    if len(scale) == 0:
        return None
    zero_point = reader.vector(q.ZeroPointLength(), q.ZeroPointAsNumpy, f"tensor {i} zero points")
    if len(zero_point) == 0:
        zero_point = np.zeros(len(scale), np.int64)
    if len(zero_point) != len(scale):
        raise reader.fail(f"tensor {i} has {len(scale)} scales but {len(zero_point)} zero points")
    # A rank-1 tensor's only axis is 0 whatever the file says: the converter gives a per-channel bias its
    # filter's quantized_dimension (3 for depthwise, e.g. in TFLM's person-detection model), and TFLM never reads it.
    axis = 0 if rank == 1 else int(q.QuantizedDimension())
    return Quant(scale=np.asarray(scale, dtype=np.float32).copy(), zero_point=np.asarray(zero_point, np.int64),
                 axis=axis)


def _tensor(reader: _Reader, model, t, i: int) -> Tensor:
    name = reader.string(t, _TENSOR_NAME, f"the name of tensor {i}")
    shape = tuple(int(d) for d in reader.vector(t.ShapeLength(), t.ShapeAsNumpy, f"the shape of tensor {i}"))
    signature = reader.vector(t.ShapeSignatureLength(), t.ShapeSignatureAsNumpy, f"tensor {i} shape signature")
    if any(int(d) < 0 for d in signature[1:]) or any(d < 0 for d in shape):  # a dynamic batch runs as 1
        raise TinygenError(f"tensor {i} ({name}) has a dynamic or unknown shape "
                           f"{[int(d) for d in (signature if len(signature) else shape)]}",
                           "export the model with fixed input shapes (batch size 1)")
    if t.Sparsity() is not None:
        raise TinygenError(f"tensor {i} ({name}) is stored sparse", "convert without sparsity")
    dtype = _TENSOR_TYPES.get(t.Type(), f"type{t.Type()}")
    data = None
    b = t.Buffer()
    if b >= model.BuffersLength() and b != 0:
        raise reader.fail(f"tensor {i} ({name}) refers to buffer {b}, but the model has {model.BuffersLength()}")
    raw = reader.buffer(model, b) if b else None
    if raw is not None and dtype == "int4":
        data = _int4_values(reader, raw, shape, f"constant tensor {i} ({name})")
    elif raw is not None:
        if dtype not in _NUMPY:
            raise TinygenError(f"constant tensor {i} ({name}) has type {dtype}",
                               "quantize the model to int8 (full-integer quantization)")
        itemsize = np.dtype(_NUMPY[dtype]).itemsize
        count = math.prod(shape)
        if len(raw) != count * itemsize:
            raise reader.fail(f"constant tensor {i} ({name}) holds {len(raw)} bytes, but its shape {list(shape)} "
                              f"of {dtype} needs {count * itemsize}")
        data = raw.view(_NUMPY[dtype]).reshape(shape)
        data.flags.writeable = False  # shared by every tensor of this buffer: passes must not change it
    if t.IsVariable():  # TFLM resets a variable before the first invoke: a buffer it has is never read
        data = None
    return Tensor(i, name, shape, dtype, _quant(reader, t, i, len(shape)), data, bool(t.IsVariable()))


def _int4_values(reader: _Reader, raw: np.ndarray, shape: tuple[int, ...], what: str) -> np.ndarray:
    """An INT4 constant's values, one int8 per element. TFLM packs the flat tensor two to a byte, element 2i in
    the low nibble of byte i and 2i + 1 in the high one, an odd count's last byte with its high nibble unused
    (tensor_utils::UnpackDenseInt4IntoInt8); the lowerings pack them again in that order (ops/int4.py)."""
    count = math.prod(shape)
    if len(raw) != (count + 1) // 2:
        raise reader.fail(f"{what} holds {len(raw)} bytes, but its shape {list(shape)} of int4 needs "
                          f"{(count + 1) // 2}")
    nibbles = np.stack([raw.view(np.int8) << 4, raw.view(np.int8)], axis=1).reshape(-1) >> 4  # sign-extended
    data = nibbles[:count].astype(np.int8).reshape(shape)
    data.flags.writeable = False
    return data


def _opcode(reader: _Reader, model, index: int, cache: dict) -> str:
    if index not in cache:
        code = model.OperatorCodes(index)
        builtin = max(code.BuiltinCode(), code.DeprecatedBuiltinCode())
        kind = _OP_NAMES.get(builtin, f"BUILTIN_{builtin}")
        if kind == "CUSTOM":
            kind = f"CUSTOM:{reader.string(code, _OPCODE_CUSTOM_CODE, f'custom opcode {index}') or '?'}"
        cache[index] = kind
    return cache[index]


def _indices(reader: _Reader, length: int, as_numpy, what: str, count: int, optional: bool) -> list[int]:
    values = [int(x) for x in reader.vector(length, as_numpy, what)]
    low = -1 if optional else 0
    for x in values:
        if not low <= x < count:
            raise reader.fail(f"{what} refer to tensor {x}, but the model has {count} tensors")
    return values


def _subgraph(reader: _Reader, model, index: int) -> tuple[list[Tensor], list[Op], list[int], list[int]]:
    """Tensors, operators, inputs and outputs of subgraph `index`."""
    source = reader.source
    sg = model.Subgraphs(index)
    for count, limit, what in ((sg.OperatorsLength(), MAX_OPERATORS, "operators"),
                               (sg.TensorsLength(), MAX_TENSORS, "tensors")):
        if count > limit:
            raise TinygenError(f"{source} has {count} {what}; tinygen compiles models of up to {limit}",
                               "microcontroller models are far smaller: check that this is the model you mean")
    n = reader.spend(sg.TensorsLength(), "the tensor table")
    tensors = [_tensor(reader, model, sg.Tensors(i), i) for i in range(n)]
    ops = []
    opcodes: dict[int, str] = {}
    for k in range(reader.spend(sg.OperatorsLength(), "the operator table")):
        o = sg.Operators(k)
        index = o.OpcodeIndex()
        if index >= model.OperatorCodesLength():
            raise reader.fail(f"operator {k} names opcode {index}, but the model has "
                              f"{model.OperatorCodesLength()}")
        kind = _opcode(reader, model, index, opcodes)
        inputs = _indices(reader, o.InputsLength(), o.InputsAsNumpy, f"operator {k} ({kind}) inputs", n, True)
        outputs = _indices(reader, o.OutputsLength(), o.OutputsAsNumpy, f"operator {k} ({kind}) outputs", n, False)
        ops.append(Op(kind, inputs, outputs, _options(reader, o, kind, k), k))
    inputs = _indices(reader, sg.InputsLength(), sg.InputsAsNumpy, "the model inputs", n, False)
    outputs = _indices(reader, sg.OutputsLength(), sg.OutputsAsNumpy, "the model outputs", n, False)
    return tensors, ops, inputs, outputs


def _initial_values(reader: _Reader, model, index: int, caller: Op) -> dict[tuple[bytes, bytes], Tensor]:
    """CALL_ONCE's init subgraph, evaluated: (container, shared name) → the constant tensor it assigns. Only
    constant assignments are evaluated at compile time; anything else is refused."""
    tensors, ops, _, _ = _subgraph(reader, model, index)
    handles, values = {}, {}
    for op in ops:
        if op.kind == "VAR_HANDLE" and len(op.outputs) == 1:
            handles[op.outputs[0]] = (bytes(op.options.get("container") or b""),
                                      bytes(op.options.get("shared_name") or b""))
        elif op.kind == "ASSIGN_VARIABLE" and len(op.inputs) == 2 and op.inputs[0] in handles \
                and op.inputs[1] >= 0 and tensors[op.inputs[1]].is_const:
            values[handles[op.inputs[0]]] = tensors[op.inputs[1]]
        else:
            raise TinygenError(f"{reader.source}: CALL_ONCE (operator {caller.index}) initialises its variables "
                               f"in subgraph {index} with {op.kind} (operator {op.index}); tinygen evaluates "
                               "init subgraphs that assign constants only",
                               "initialise the variables with constants (tf.Variable(np.array(...)), a Keras RNN's "
                               "zero state)")
    return values


def _graph(reader: _Reader, name: str) -> Graph:
    raw, source = reader.raw, reader.source
    model = schema.Model.GetRootAs(raw, 0)
    if model.Version() != SCHEMA_VERSION:
        raise TinygenError(f"{source} has schema version {model.Version()}, not {SCHEMA_VERSION}",
                           "re-export it with a current TensorFlow Lite converter")
    n_sub = reader.spend(model.SubgraphsLength(), "the subgraph table")
    if n_sub == 0:
        raise reader.fail("the model has no subgraph")
    reader.spend(model.BuffersLength(), "the buffer table")
    reader.spend(model.OperatorCodesLength(), "the opcode table")
    tensors, ops, inputs, outputs = _subgraph(reader, model, 0)
    # Further subgraphs are read only as CALL_ONCE's initialisation of resource variables; WHILE and IF
    # bodies (control flow) are refused.
    init = {}
    for op in ops:
        if op.kind == "CALL_ONCE":
            index = int(op.options.get("init_subgraph_index", 0))
            if not 0 < index < n_sub:
                raise reader.fail(f"CALL_ONCE (operator {op.index}) names subgraph {index}, but the model has "
                                  f"{n_sub}")
            if index not in init:
                init[index] = _initial_values(reader, model, index, op)
            op.options["initial_values"] = init[index]
    others = [k for k in range(1, n_sub) if k not in init]
    if others:
        flow = sorted({op.kind for op in ops if op.kind in ("WHILE", "IF")})
        raise TinygenError(f"{source} has {n_sub} subgraphs" + (f" (control flow: {', '.join(flow)})" if flow else "")
                           + "; tinygen reads further subgraphs only as CALL_ONCE's variable initialisation",
                           "export the model without control flow (Keras recurrent layers: unroll=True)")
    return Graph(name, tensors, ops, inputs, outputs, _signature_names(reader, model, set(inputs) | set(outputs)))


def _signature_names(reader: _Reader, model, io: set[int]) -> dict[int, str]:
    """tensor → its name in the model's first SignatureDef (the names a TF user gave the Keras inputs and
    outputs); tensors the signature does not name keep theirs."""
    if not model.SignatureDefsLength():
        return {}
    sig = model.SignatureDefs(0)
    names = {}
    for count, item in ((sig.InputsLength(), sig.Inputs), (sig.OutputsLength(), sig.Outputs)):
        for k in range(reader.spend(count, "the signature")):
            entry = item(k)
            name = (entry.Name() or b"").decode("utf-8", "replace")
            if entry.TensorIndex() in io and name:
                names[entry.TensorIndex()] = name
    return names


def parse_tflite(raw: bytes, name: str = "model", source: str = "the model") -> Graph:
    """The Graph of a .tflite file's bytes; `source` names the file in messages."""
    raw = bytes(raw)
    if len(raw) < 8 or not 8 <= struct.unpack_from("<I", raw, 0)[0] < len(raw):
        hint = ("it looks like a Keras model (HDF5 or zip): convert it to an int8 .tflite file first"
                if raw[:4] in (b"\x89HDF", b"PK\x03\x04") else "pass a .tflite file written by the TFLite converter")
        raise TinygenError(f"{source} is not a flatbuffer (too short or its root offset points outside the file)",
                           hint)
    if raw[4:8] != b"TFL3":
        ident = raw[4:8].decode("latin-1").encode("unicode_escape").decode()
        raise TinygenError(f"{source} has file identifier '{ident}', not 'TFL3': it is not a TensorFlow Lite model",
                           "pass a .tflite file written by the TFLite converter")
    reader = _Reader(raw, source)
    try:
        return _graph(reader, name)
    except TinygenError:
        raise
    except (struct.error, IndexError, ValueError) as e:  # unpack_from / frombuffer past the end of the bytes
        raise reader.fail("an offset or length points outside the file") from e
    except _DECODE_ERRORS as e:
        raise reader.fail(f"{type(e).__name__} while decoding: {str(e)[:100]}") from e


def read_tflite(path: Path) -> Graph:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise TinygenError(f"cannot read {path}: {e.strerror or e}", "check the path and its permissions") from None
    # The name reaches C comments and file names: printable ASCII only (undecodable bytes, newlines → "_").
    name = "".join(c if c.isascii() and c.isprintable() else "_" for c in path.stem)
    return parse_tflite(raw, name, str(path))
