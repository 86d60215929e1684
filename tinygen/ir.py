"""The graph IR: tensors, operators, graph. Plain data; passes and lowerings work on it."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# TFLite TensorType value → (IR dtype name, element bytes)
DTYPES = {"int8": 1, "uint8": 1, "int16": 2, "int32": 4, "int64": 8, "float32": 4, "bool": 1}
CTYPES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int32_t", "float32": "float",
          "int64": "int64_t", "bool": "uint8_t"}


@dataclass
class Quant:
    """Affine quantization: real = scale * (q - zero_point); per-channel along `axis` when len(scale) > 1."""
    scale: np.ndarray  # float32
    zero_point: np.ndarray  # int64
    axis: int = 0

    @property
    def per_channel(self) -> bool:
        return len(self.scale) > 1


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple[int, ...]
    dtype: str
    quant: Quant | None = None
    data: np.ndarray | None = None  # constant tensors only
    is_variable: bool = False
    initial: np.ndarray | None = None  # a variable's value before the first invoke, if not TFLM's default fill

    @property
    def is_const(self) -> bool:
        return self.data is not None

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    @property
    def nbytes(self) -> int:
        if self.dtype == "int4":  # packed two to a byte (only ever constant weights)
            return (self.size + 1) // 2
        return self.size * DTYPES[self.dtype]

    @property
    def scale(self) -> float:
        return float(self.quant.scale[0])

    @property
    def zero_point(self) -> int:
        return int(self.quant.zero_point[0])


@dataclass
class Op:
    kind: str  # TFLite builtin operator name, e.g. "CONV_2D"
    inputs: list[int]  # tensor indices; -1 marks an omitted optional input
    outputs: list[int]
    options: dict[str, Any] = field(default_factory=dict)
    index: int = 0  # position in the source model, for messages


@dataclass
class Graph:
    name: str
    tensors: list[Tensor]
    ops: list[Op]
    inputs: list[int]
    outputs: list[int]
    # tensor → the name the model's SignatureDef gives it as an input or output (none without a signature)
    signature_names: dict[int, str] = field(default_factory=dict)

    def consumers(self, tensor: int) -> list[Op]:
        return [op for op in self.ops if tensor in op.inputs]

    def producer(self, tensor: int) -> Op | None:
        return next((op for op in self.ops if tensor in op.outputs), None)
