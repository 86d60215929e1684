"""Read a .tflite flatbuffer into the IR through the schema module that ships with ai_edge_litert.

No rewrites happen here: the IR mirrors the file; passes change it afterwards.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
from ai_edge_litert import schema_py_generated as schema

from ..errors import TinygenError
from ..ir import Graph, Op, Quant, Tensor

_TENSOR_TYPES = {getattr(schema.TensorType, n): n.lower() for n in dir(schema.TensorType) if n.isupper()}
_OP_NAMES = {getattr(schema.BuiltinOperator, n): n for n in dir(schema.BuiltinOperator) if n.isupper()}
_NUMPY = {"int8": np.int8, "uint8": np.uint8, "int16": np.int16, "int32": np.int32, "int64": np.int64,
          "float32": np.float32, "bool": np.bool_}


def _camel_to_snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name).lstrip("_")


def _options(op) -> dict:
    """Builtin options as a plain dict with snake_case keys (e.g. stride_w, fused_activation_function)."""
    if op.builtinOptions is None:
        return {}
    return {_camel_to_snake(k): v for k, v in vars(op.builtinOptions).items()}


def _quant(q, rank: int) -> Quant | None:
    if q is None or q.scale is None or len(q.scale) == 0:
        return None
    scale = np.asarray(q.scale, dtype=np.float32)
    zero_point = np.asarray(q.zeroPoint if q.zeroPoint is not None else [0] * len(scale), dtype=np.int64)
    return Quant(scale=scale, zero_point=zero_point, axis=int(q.quantizedDimension))


def _buffer_bytes(model, buf_index: int, raw: bytes) -> bytes | None:
    buf = model.buffers[buf_index]
    if buf.data is not None and len(buf.data):
        return np.asarray(buf.data, dtype=np.uint8).tobytes()
    if getattr(buf, "offset", 0) and buf.offset > 1:  # large models keep data after the flatbuffer
        if buf.offset + buf.size > len(raw):
            raise TinygenError(f"buffer {buf_index} lies outside the file (truncated model?)",
                               "re-export the .tflite file")
        return raw[buf.offset:buf.offset + buf.size]
    return None


def read_tflite(path: Path) -> Graph:
    raw = Path(path).read_bytes()
    if len(raw) < 8 or raw[4:8] != b"TFL3":
        raise TinygenError(f"{path} is not a TensorFlow Lite model (file identifier is not TFL3)",
                           "pass a .tflite file written by the TFLite converter")
    model = schema.ModelT.InitFromPackedBuf(raw, 0)
    if len(model.subgraphs) != 1:
        raise TinygenError(f"{path} has {len(model.subgraphs)} subgraphs; tinygen compiles single-subgraph models",
                           "export the model without control flow (no WHILE/IF/CALL_ONCE)")
    sg = model.subgraphs[0]
    tensors = []
    for i, t in enumerate(sg.tensors or []):
        shape = tuple(int(d) for d in (t.shape if t.shape is not None else []))
        if t.shapeSignature is not None and any(int(d) < 0 for d in t.shapeSignature[1:]):
            raise TinygenError(f"tensor {i} ({_name(t)}) has a dynamic shape {list(t.shapeSignature)}",
                               "export the model with fixed input shapes")
        dtype = _TENSOR_TYPES.get(t.type, f"type{t.type}")
        data = None
        if t.buffer and t.buffer < len(model.buffers):
            b = _buffer_bytes(model, t.buffer, raw)
            if b is not None:
                if dtype not in _NUMPY:
                    raise TinygenError(f"constant tensor {i} ({_name(t)}) has type {dtype}",
                                       "quantize the model to int8 (full-integer quantization)")
                arr = np.frombuffer(b, dtype=_NUMPY[dtype])
                if arr.size != int(np.prod(shape, dtype=np.int64)):
                    raise TinygenError(f"constant tensor {i} ({_name(t)}) holds {arr.size} values for shape "
                                       f"{list(shape)}", "the model file is corrupted; re-export it")
                data = arr.reshape(shape).copy()
        tensors.append(Tensor(i, _name(t), shape, dtype, _quant(t.quantization, len(shape)), data,
                              bool(t.isVariable)))
    ops = []
    for k, o in enumerate(sg.operators or []):
        if o.opcodeIndex >= len(model.operatorCodes):
            raise TinygenError(f"operator {k} names opcode {o.opcodeIndex}, beyond the model's opcode table",
                               "the model file is corrupted; re-export it")
        code = model.operatorCodes[o.opcodeIndex]
        builtin = max(code.builtinCode, code.deprecatedBuiltinCode)
        kind = _OP_NAMES.get(builtin, f"BUILTIN_{builtin}")
        if kind == "CUSTOM":
            kind = f"CUSTOM:{code.customCode.decode(errors='replace') if code.customCode else '?'}"
        inputs = [int(x) for x in (o.inputs if o.inputs is not None else [])]
        outputs = [int(x) for x in (o.outputs if o.outputs is not None else [])]
        for x in inputs + outputs:
            if x >= len(tensors) or x < -1:
                raise TinygenError(f"operator {k} ({kind}) refers to tensor {x}, but the model has {len(tensors)}",
                                   "the model file is corrupted; re-export it")
        ops.append(Op(kind, inputs, outputs, _options(o), k))
    name = Path(path).stem
    return Graph(name, tensors, ops, [int(x) for x in sg.inputs], [int(x) for x in sg.outputs])


def _name(t) -> str:
    return t.name.decode(errors="replace") if isinstance(t.name, bytes) else str(t.name or "")
