"""The reference: TensorFlow Lite Micro's reference kernels through the tflite-micro Python interpreter.

The interpreter is native code that a model tinygen accepts can still crash (an abort in a kernel's Prepare):
it runs in a child process (tinygen.contain), which costs a fresh interpreter's start-up, about 0.3 s a call.
"""
from __future__ import annotations

import math

import numpy as np

from . import contain, progress
from .errors import TinygenError
from .limits import MAX_ELEMENTS


def reference_outputs(model: bytes, inputs, sequence: bool = False):
    """Run every sample of `inputs` ([N, *input_shape]; for a model with several inputs a list of them, in the
    model's order) through TFLM; returns [N, *output_shape] (a model with several outputs or inputs: a list,
    each [N, output size]). The samples
    are independent (the interpreter's variable tensors reset after each), or with `sequence` consecutive
    steps of one sequence (never reset: each invoke sees the state the previous one left)."""
    with progress.bar("TFLM reference", len(inputs if isinstance(inputs, np.ndarray) else inputs[0])) as bar:
        return contain.run("tinygen.oracle:run_reference", "TensorFlow Lite Micro (the reference tinygen matches)",
                           "check that the model runs in TensorFlow Lite Micro; re-export it", model,
                           _contiguous(inputs), sequence, bar=bar)


def _contiguous(inputs):
    return np.ascontiguousarray(inputs) if isinstance(inputs, np.ndarray) else [np.ascontiguousarray(x) for x in inputs]


def run_reference(model: bytes, inputs, sequence: bool = False):
    """reference_outputs in this process (the contained step): every input fed, every output read."""
    from tflite_micro.python.tflite_micro import runtime

    # tflite-micro's default arena (10x the file size) is too small for models with big activations and small
    # weights; sum every tensor's bytes instead, with room for TFLM's own bookkeeping.
    # TFLM's reset() memsets resource variables to their zero point, but never runs CALL_ONCE's initialisation
    # again (its has_run flag survives): independent samples of such a model (the only kind with several
    # subgraphs tinygen accepts) each get a fresh interpreter, which starts from the initial values.
    fresh = not sequence and _subgraph_count(model) > 1
    try:
        interpreter = runtime.Interpreter.from_bytes(model, arena_size=_arena_bound(model))
        batches = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
        n_outputs = _output_count(model)
        outputs: list[list[np.ndarray]] = [[] for _ in range(n_outputs)]
        for done in range(len(batches[0])):
            contain.report_progress(done)
            if fresh and done:
                interpreter = runtime.Interpreter.from_bytes(model, arena_size=_arena_bound(model))
            for k, batch in enumerate(batches):
                interpreter.set_input(np.ascontiguousarray(batch[done]), k)
            interpreter.invoke()
            for j in range(n_outputs):
                outputs[j].append(np.array(interpreter.get_output(j)).reshape(-1))
            if not sequence:
                interpreter.reset()  # independent samples: clear any variable tensors
    except (RuntimeError, ValueError) as e:  # tinygen compiled it, but the reference refuses it (e.g. dead ops)
        lines = str(e).strip().splitlines()
        raise TinygenError(f"TensorFlow Lite Micro, the reference tinygen matches, cannot run this model "
                           f"({lines[-1][:200] if lines else type(e).__name__})",
                           "check that the model runs in TensorFlow Lite Micro; re-export it") from e
    stacked = [np.stack(o) for o in outputs]
    return stacked[0] if isinstance(inputs, np.ndarray) and n_outputs == 1 else stacked


def _output_count(model: bytes) -> int:
    from ai_edge_litert import schema_py_generated as schema

    return schema.Model.GetRootAs(model, 0).Subgraphs(0).OutputsLength()


def _subgraph_count(model: bytes) -> int:
    from ai_edge_litert import schema_py_generated as schema

    return schema.Model.GetRootAs(model, 0).SubgraphsLength()


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
            dims = [max(int(d), 0) for d in (t.ShapeAsNumpy() if t.ShapeLength() else [1])]
            total += min(math.prod(dims), MAX_ELEMENTS) * elem.get(t.Type(), 8)
    # Unused tensors are not validated: bound what a corrupted shape may ask for.
    return min(max(len(model) * 10, 2 * total + (1 << 20)), 1 << 31)
