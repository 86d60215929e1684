"""NEG (float32) → tg_neg_f32: TFLM runs NEG on float32 only (micro/kernels/neg.cc; its int8 Invoke fails, and
TensorFlow's int8 converter keeps tf.math.negative in float)."""
from __future__ import annotations

from ..common import Arity, OpDef, lower_float_elementwise


def example(m, rng) -> bytes:
    x = m.tensor([1, 3, 5], "float32")
    y = m.tensor([1, 3, 5], "float32")
    m.op("NEG", [x], [y])
    return m.finish([x], [y])


OP = OpDef(kinds=("NEG",), arity={"NEG": Arity(1)}, options={"NEG": "NegOptions"}, lower=lower_float_elementwise,
           same_shape=True, types=("float32",), example=example, header="tg_neg.h")
