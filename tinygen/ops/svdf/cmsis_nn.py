"""SVDF on CMSIS-NN: arm_svdf_state_s16_s8 (int16 state) where it computes TFLM's bytes; int8 state keeps the
portable kernel.

Read against TFLM's EvalIntegerSvdfReference, arm_svdf_state_s16_s8 differs in three places, each made moot
offline here:
- it neither adds the state's zero point to the new feature values nor subtracts it in the time products:
  exact only for a state zero point of 0 (the converter's int16 default);
- its sums are int32 like TFLM's, but where TFLM's wrap on overflow, the Helium feature product saturates its
  zero-point term (QADD) and plain C overflow is undefined: used only when no sum can overflow, bounded from the
  constant weights and multipliers (cannot_overflow);
- it clamps the feature values to its input_activation and the output to its output_activation: given the
  int16 and int8 ranges, TFLM's clamps (TFLM's integer SVDF ignores the fused activation).
Unlike CMSIS-NN's other kernels, it takes the input and output zero points as they are (input_offset = +zero
point, as TFLM's cmsis_nn/svdf.cc passes it). Its two int32 scratch buffers (time products per filter, sums per
unit) are one scratch block, split in two.
"""
from __future__ import annotations

import numpy as np

from ..common import Layer

INT32_LIMIT = 1 << 31
FEATURE_TERM = 256  # |x + input offset| and |x| + |offset| are at most 128 + 128
STATE_LIMIT = 1 << 15  # |state| of an int16 state with zero point 0


def cannot_overflow(layer: Layer) -> bool:
    """No int32 sum of the kernel leaves the int32 range, whatever the input and state: each feature row's sum
    bounded by 256 · Σ|w|, each state value by that sum requantized (+1 for rounding, at most 2^15), each unit's
    sum by |bias| + Σ |time weight| · its filter's state bound."""
    p = layer.params
    filters = p.units * p.rank
    feature = FEATURE_TERM * np.abs(layer.const("weights_feature").values.astype(np.int64)).sum(axis=1)
    scale = p.feature_mult * 2.0 ** (p.feature_shift - 31)
    state = np.minimum(STATE_LIMIT, np.ceil(feature * scale).astype(np.int64) + 1)
    wt = np.abs(layer.const("weights_time").values.astype(np.int64)).reshape(filters, p.memory)
    time_sums = (wt.sum(axis=1) * state).reshape(p.units, p.rank).sum(axis=1)
    units = np.abs(layer.const("bias").values.astype(np.int64)) + time_sums
    return bool(np.all(feature < INT32_LIMIT)) and bool(np.all(units < INT32_LIMIT))


def retarget(layer: Layer, arch: str) -> Layer | None:
    p = layer.params
    if layer.kernel != "tg_svdf_s8_s16" or p.state_zero_point != 0 or not cannot_overflow(layer):
        return None
    filters = p.units * p.rank
    return layer.replace(kernel="arm_svdf_state_s16_s8", template="svdf/svdf_cmsis_nn.c.j2",
                         scratch_bytes=4 * p.batches * (filters + p.units))
