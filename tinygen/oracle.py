"""The reference: TensorFlow Lite Micro's reference kernels through the tflite-micro Python interpreter."""
from __future__ import annotations

import numpy as np


def reference_outputs(model: bytes, inputs: np.ndarray) -> np.ndarray:
    """Run every sample of `inputs` ([N, *input_shape]) through TFLM; returns [N, *output_shape]."""
    from tflite_micro.python.tflite_micro import runtime

    interpreter = runtime.Interpreter.from_bytes(model)
    outputs = []
    for sample in inputs:
        interpreter.set_input(np.ascontiguousarray(sample), 0)
        interpreter.invoke()
        outputs.append(np.array(interpreter.get_output(0)).reshape(-1))
        interpreter.reset()  # independent samples: clear any variable tensors
    return np.stack(outputs)
