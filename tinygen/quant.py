"""Fixed-point parameters computed offline exactly as TFLite Micro's Prepare computes them at run time
(tensorflow/lite/kernels/internal/quantization_util.cc, kernels/kernel_util.cc), default double rounding."""
from __future__ import annotations

import functools
import math

import numpy as np

from .errors import TinygenError
from .limits import MAX_WINDOW

INT8_MIN, INT8_MAX = -128, 127
INT16_MIN, INT16_MAX = -32768, 32767
# The clamp of each quantized activation type.
TYPE_RANGE = {"int8": (INT8_MIN, INT8_MAX), "int16": (INT16_MIN, INT16_MAX)}
QUANTIZED_BIAS_INT32 = 2  # schema TensorType.INT32 in the options' quantized_bias_type (16x8 without a bias)


def _round_half_away(x: float) -> int:
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def quantize_multiplier(m: float) -> tuple[int, int]:
    """QuantizeMultiplier: m ≈ q · 2^(shift − 31), q a Q31 significand, shift > 0 meaning a left shift."""
    if m == 0.0:
        return 0, 0
    if not math.isfinite(m):
        raise TinygenError(f"a quantization multiplier is {m}", "the model's scales must be finite and non-zero")
    q, shift = math.frexp(m)
    q_fixed = _round_half_away(q * (1 << 31))
    if q_fixed == (1 << 31):
        q_fixed //= 2
        shift += 1
    if shift < -31:
        return 0, 0
    if shift > 31:  # the kernels shift an int32 left by `shift`: beyond 31 is undefined in C (and in TFLM)
        raise TinygenError(f"a rescale factor of {m:g} is too large for 32-bit fixed point",
                           "check the tensors' quantization scales; re-quantize the model")
    return int(q_fixed), int(shift)


def quantize_multiplier_smaller_than_one_exp(m: float) -> tuple[int, int]:
    if not 0.0 < m < 1.0:
        raise TinygenError(f"a rescale factor is {m}, outside (0, 1)", "check the tensors' quantization scales")
    return quantize_multiplier(m)


def quantize_multiplier_greater_than_one(m: float) -> tuple[int, int]:
    if not m > 1.0:  # TFLM aborts (TFLITE_CHECK_GT): e.g. SOFTMAX with beta 0 or negative
        raise TinygenError(f"a rescale factor is {m}, not above 1", "check the tensors' quantization scales "
                           "and the operator's options (SOFTMAX beta must be positive)")
    return quantize_multiplier(m)  # m > 1: frexp's exponent, the shift, is at least 1


def per_channel_multipliers(input_scale: float, filter_scales: np.ndarray, output_scale: float,
                            channels: int) -> tuple[np.ndarray, np.ndarray]:
    """PopulateConvolutionQuantizationParams: in_scale · w_scale[c] / out_scale, in double precision."""
    scales = np.broadcast_to(np.asarray(filter_scales, dtype=np.float32), (channels,))
    pairs = [quantize_multiplier(float(np.float64(input_scale) * np.float64(s) / np.float64(output_scale)))
             for s in scales]
    return (np.array([p[0] for p in pairs], dtype=np.int32), np.array([p[1] for p in pairs], dtype=np.int32))


def per_tensor_conv_multiplier(input_scale: float, filter_scale: float, output_scale: float) -> tuple[int, int]:
    """GetQuantizedConvolutionMultipler as the TFLM oracle computes it: the scales' product in double (the
    float32 product differs in the last bits: ad01's per-tensor FCs missed by one on ~1 output in 20000)."""
    product = float(np.float32(input_scale)) * float(np.float32(filter_scale))
    return quantize_multiplier(product / float(np.float32(output_scale)))


def require_wide_shifts(shifts, where: str) -> None:
    """The int64 MultiplyByQuantizedMultiplier (16x8 accumulators) shifts right by 15 - shift: C defines that
    for shifts in -47..14 only (TFLM assumes -31..7; quantize_multiplier gives at least -31)."""
    if int(np.max(shifts)) > 14:
        raise TinygenError(f"{where}: a rescale factor needs a left shift of {int(np.max(shifts))}, beyond the 14 "
                           "that 16x8 fixed point allows", "check the tensors' quantization scales; re-quantize the model")


def quantize_value(x: float, scale: float, zero_point: int) -> int:
    """TFLite's activation-range quantization: round(x / scale) + zero_point, in float32."""
    with np.errstate(over="ignore", divide="ignore"):
        q = np.float32(x) / np.float32(scale)
    if not abs(float(q)) < 2.0**31:  # TFLM casts the rounded value to int32: undefined beyond, so refuse
        raise TinygenError(f"an activation bound of {x:g} at quantization scale {scale:g} overflows int32",
                           "re-quantize the model: the output scale is far too small")
    return _round_half_away(float(q)) + int(zero_point)


def activation_range(activation: int, scale: float, zero_point: int,
                     lo: int = INT8_MIN, hi: int = INT8_MAX) -> tuple[int, int]:
    """CalculateActivationRangeQuantized for a fused activation (schema ActivationFunctionType)."""
    if activation == 0:  # NONE
        return lo, hi
    if activation == 1:  # RELU
        return max(lo, quantize_value(0.0, scale, zero_point)), hi
    if activation == 3:  # RELU6
        return (max(lo, quantize_value(0.0, scale, zero_point)), min(hi, quantize_value(6.0, scale, zero_point)))
    if activation == 2:  # RELU_N1_TO_1
        return (max(lo, quantize_value(-1.0, scale, zero_point)), min(hi, quantize_value(1.0, scale, zero_point)))
    names = {4: "TANH", 5: "SIGN_BIT"}
    raise TinygenError(f"fused activation {names.get(activation, activation)} is not supported in int8",
                       "use RELU, RELU6 or no fused activation")


FLOAT32_LOWEST, FLOAT32_MAX = float(np.finfo(np.float32).min), float(np.finfo(np.float32).max)


def float_activation_range(activation: int, what: str) -> tuple[float, float]:
    """CalculateActivationRange<float>: the clamp of a fused activation in a float kernel. TFLM's float kernels
    only clamp, so a fused TANH or SIGN_BIT would be silently dropped: refuse it."""
    ranges = {0: (FLOAT32_LOWEST, FLOAT32_MAX), 1: (0.0, FLOAT32_MAX), 2: (-1.0, 1.0), 3: (0.0, 6.0)}
    if activation not in ranges:
        names = {4: "TANH", 5: "SIGN_BIT"}
        raise TinygenError(f"{what} has fused activation {names.get(activation, activation)}, which TFLite Micro's "
                           "float kernels do not apply", "use RELU, RELU6, RELU_N1_TO_1 or no fused activation")
    return ranges[activation]


def same_padding(in_size: int, filter_size: int, stride: int, dilation: int) -> tuple[int, int]:
    """(output size, padding before) for TFLite's SAME padding; the odd remainder goes after."""
    out = (in_size + stride - 1) // stride
    effective = (filter_size - 1) * dilation + 1
    total = max(0, (out - 1) * stride + effective - in_size)
    return out, total // 2


def valid_output(in_size: int, filter_size: int, stride: int, dilation: int) -> int:
    effective = (filter_size - 1) * dilation + 1
    return (in_size - effective + stride) // stride


def padding_and_output(padding: int, in_size: int, filter_size: int, stride: int, dilation: int) -> tuple[int, int]:
    """schema Padding: 0 SAME, 1 VALID → (output size, padding before)."""
    if (filter_size - 1) * dilation + 1 > MAX_WINDOW:  # keeps the kernels' index arithmetic within int32
        raise TinygenError(f"a window of {filter_size} taps with dilation {dilation} spans more than {MAX_WINDOW} "
                           "elements", "the model file is inconsistent; re-export it")
    if padding == 0:
        return same_padding(in_size, filter_size, stride, dilation)
    return valid_output(in_size, filter_size, stride, dilation), 0


def softmax_params(beta: float, input_scale: float, input_integer_bits: int = 5) -> tuple[int, int, int]:
    """PreprocessSoftmaxScaling + CalculateInputRadius → (multiplier, left shift, diff_min)."""
    real = min(float(beta) * float(input_scale) * (1 << (31 - input_integer_bits)), float((1 << 31) - 1))
    mult, shift = quantize_multiplier_greater_than_one(real)
    radius = math.floor(((1 << input_integer_bits) - 1) * (1 << (31 - input_integer_bits)) / (1 << shift))
    return mult, shift, -int(radius)


def requantize_multiplier(input_scale: float, output_scale: float) -> tuple[int, int]:
    """QuantizeMultiplier(double(input_scale) / double(output_scale)): the rescale of QUANTIZE (int8 → int8)
    and MEAN, whose Prepare divides in double precision."""
    return quantize_multiplier(float(np.float32(input_scale)) / float(np.float32(output_scale)))


def logistic_tanh_input_params(input_scale: float, input_integer_bits: int = 4) -> tuple[int, int, int]:
    """int8 LOGISTIC / TANH Prepare → (input_multiplier, input_left_shift, input_range_radius).

    The multiplier rescales (q − zero point) to a Q4.27 fixed-point input; its frexp significand is rounded
    without QuantizeMultiplier's carry into the exponent. Inputs at or beyond the radius saturate."""
    real = float(np.float32(input_scale)) * (1 << (31 - input_integer_bits))
    q, shift = math.frexp(real)
    mult = _round_half_away(q * (1 << 31))
    # TFLM divides its radius by 1LL << shift: beyond 62 bits that is undefined behaviour in C, whose result
    # tinygen cannot reproduce. (From 31 bits on the radius is 0: every input saturates, nothing is shifted.)
    if mult == 1 << 31 or not 0 <= shift <= 62:
        raise TinygenError(f"an input scale of {input_scale} overflows TFLite Micro's LOGISTIC/TANH parameters",
                           "re-quantize the model so the activation's input scale is a usual value")
    radius = math.floor(((1 << input_integer_bits) - 1) * (1 << (31 - input_integer_bits)) / (1 << shift))
    return int(mult), int(shift), int(radius)


def downscale_multiplier_to_int16(multiplier: int) -> int:
    """DownScaleInt32ToInt16Multiplier: a Q31 multiplier rounded to Q15, saturating at INT16_MAX."""
    if multiplier >= (1 << 31) - 1 - (1 << 15):
        return (1 << 15) - 1
    return (multiplier + (1 << 15)) >> 16


# ---- float32 arithmetic as TFLM's Prepare does it (tables and checks computed in C++ floats) ----

@functools.lru_cache(maxsize=None)
def libm_float(name: str):
    """C's float function `name` (expf, logf), which TFLM's Prepare calls through std::exp / std::log on a float:
    numpy's float32 versions may differ in the last bit, and one bit can move a table entry or a check."""
    import ctypes
    import ctypes.util

    function = getattr(ctypes.CDLL(ctypes.util.find_library("m") or "libm.so.6"), name)
    function.restype, function.argtypes = ctypes.c_float, (ctypes.c_float,)
    return lambda x: np.float32(function(float(x)))


def round_f32(x) -> np.float32:
    """TfLiteRound on a float: halves away from zero (exact in double for a float32 argument)."""
    x = float(x)
    return np.float32(math.copysign(math.floor(abs(x) + 0.5), x))


def checked_log2(x: float) -> tuple[int, bool]:
    """TFLite's CheckedLog2: (round(log2 x), whether x is a power of two within 1e-3 in log2), in float32."""
    logf = libm_float("logf")
    x_log2 = logf(np.float32(x)) * (np.float32(1.0) / logf(np.float32(2.0)))
    rounded = round_f32(x_log2)
    return int(rounded), bool(abs(x_log2 - rounded) < np.float32(1e-3))
