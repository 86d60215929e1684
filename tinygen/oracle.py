"""The reference: TensorFlow Lite Micro's reference kernels through the tflite-micro Python interpreter."""
from __future__ import annotations

import numpy as np


def reference_outputs(model: bytes, inputs: np.ndarray) -> np.ndarray:
    """Run every sample of `inputs` ([N, *input_shape]) through TFLM; returns [N, *output_shape]."""
    from tflite_micro.python.tflite_micro import runtime

    # tflite-micro's default arena (10x the file size) is too small for models with big activations and small
    # weights; sum every tensor's bytes instead, with room for TFLM's own bookkeeping.
    interpreter = runtime.Interpreter.from_bytes(model, arena_size=_arena_bound(model))
    outputs = []
    for sample in inputs:
        interpreter.set_input(np.ascontiguousarray(sample), 0)
        interpreter.invoke()
        outputs.append(np.array(interpreter.get_output(0)).reshape(-1))
        interpreter.reset()  # independent samples: clear any variable tensors
    return np.stack(outputs)


def _arena_bound(model: bytes) -> int:
    from ai_edge_litert import schema_py_generated as schema

    elem = {schema.TensorType.INT8: 1, schema.TensorType.UINT8: 1, schema.TensorType.INT16: 2,
            schema.TensorType.FLOAT32: 4, schema.TensorType.INT32: 4, schema.TensorType.INT64: 8}
    m = schema.Model.GetRootAs(model, 0)
    total = 0
    for s in range(m.SubgraphsLength()):
        g = m.Subgraphs(s)
        for i in range(g.TensorsLength()):
            t = g.Tensors(i)
            total += int(np.prod(t.ShapeAsNumpy() if t.ShapeLength() else [1], dtype=np.int64)) * elem.get(t.Type(), 8)
    return max(len(model) * 10, 2 * total + (1 << 20))
