"""In-place execution and residual fusion (tinygen/lowered/memory.py, fuse_residual.py): TensorFlow-built models where each path
triggers, the plan checked to really share the memory, every output bit-exact with TFLM; the access-order
proof of raster_safe against a simulation; the planner's pieces."""
import itertools

import numpy as np
import pytest

from tests.support.helpers import assert_bit_exact, int8_tflite, keras_model, mlperf_model

from tinygen import planner
from tinygen.compiler import compile_model
from tinygen.codegen import pointer
from tinygen.ops.common import raster_safe
from tinygen.ops.window import Window


def _program(tflite: bytes, tmp_path, backend: str = "portable"):
    path = tmp_path / "model.tflite"
    path.write_bytes(tflite)
    return compile_model(path, backend=backend)


def _merged(program, kernel: str) -> list:
    """Layers running `kernel` whose output was placed over an input (same pointer), with the plan's word."""
    out = []
    for layer in program.layers:
        ip = layer.applied_inplace
        if layer.kernel == kernel and ip is not None:
            assert pointer(program, layer.inputs[ip.input]) == pointer(program, layer.outputs[0])
            out.append(layer)
    return out


def _check(build, shape, tmp_path, seed, expect: dict[str, int], count: int = 4):
    """Convert, compile, check that at least expect[kernel] layers of each kernel run in place, then run."""
    model = keras_model(build, shape, seed=seed)
    tflite = int8_tflite(model, shape, seed=seed)
    program = _program(tflite, tmp_path)
    for kernel, n in expect.items():
        assert len(_merged(program, kernel)) >= n, (kernel, [(la.summary, la.kernel, la.applied_inplace)
                                                            for la in program.layers])
    assert program.arena_size < program.whole_tensor_bound
    assert_bit_exact(tflite, tmp_path, count=count, seed=seed)
    return program


def test_depthwise_channel_plane(tmp_path):
    """Stride-1 padded windows (pixel q+1 reads pixel q): channel by channel through one plane of scratch;
    dilation, non-square kernels, more channels than one register block, odd sizes."""
    import tensorflow as tf

    L = tf.keras.layers
    build = [L.Conv2D(7, 3, padding="same"), L.DepthwiseConv2D(3, padding="same", activation="relu6"),
             L.DepthwiseConv2D((3, 2), dilation_rate=2, padding="same"),
             L.DepthwiseConv2D(5, padding="same", activation="relu"), L.Conv2D(2, 1)]
    program = _check(build, (9, 11, 3), tmp_path, 1, {"tg_depthwise_conv_inplace_s8": 3})
    assert all(layer.scratch_bytes == 9 * 11 + layer.params.win.k_h * layer.params.win.k_w
               for layer in _merged(program, "tg_depthwise_conv_inplace_s8"))


def test_depthwise_raster_order(tmp_path):
    """Windows that never reach back (stride 2 SAME, stride 1 VALID): the ordinary kernel in place, no scratch;
    70 channels cross the kernel's 64-channel block."""
    import tensorflow as tf

    L = tf.keras.layers
    build = [L.Conv2D(70, 1), L.DepthwiseConv2D(3, strides=2, padding="same"),
             L.DepthwiseConv2D((5, 1), padding="valid", activation="relu"),
             L.DepthwiseConv2D(3, strides=(2, 3), padding="valid"), L.Conv2D(2, 1)]
    program = _check(build, (13, 12, 2), tmp_path, 2, {"tg_depthwise_conv_s8": 3})
    assert all(layer.scratch_bytes == 0 for layer in _merged(program, "tg_depthwise_conv_s8"))


def test_pointwise_forward_and_backward(tmp_path):
    """1x1 convolutions in place: more output channels (written last pixel first), fewer and as many (first
    pixel first); channel counts off the four-channel block."""
    import tensorflow as tf

    L = tf.keras.layers
    build = [L.Conv2D(6, 3, strides=2, padding="same"), L.Conv2D(13, 1, activation="relu"), L.Conv2D(5, 1),
             L.Conv2D(5, 1, activation="relu6"), L.Conv2D(9, 1), L.DepthwiseConv2D(2)]
    program = _check(build, (10, 8, 3), tmp_path, 3, {"tg_convolve_1x1_inplace_s8": 4})
    for layer in _merged(program, "tg_convolve_1x1_inplace_s8"):
        assert layer.scratch_bytes == layer.params.out_c  # one output pixel
        assert not layer.has_const("bias")  # folded into kernel_sums


def _residual(x, first: bool, relu: bool):
    import tensorflow as tf

    L = tf.keras.layers
    h = L.Conv2D(8, 3, padding="same", activation="relu")(x)
    r = L.Conv2D(8, 3, padding="same", activation="relu")(h)
    r = L.Conv2D(8, 3, padding="same")(r)
    y = L.Add()([r, h] if first else [h, r])
    y = L.ReLU()(y) if relu else y
    # Projection shortcut as in ResNet: 1x1 stride-2 conv added to a 3x3 stride-2 branch.
    a = L.Conv2D(16, 3, strides=2, padding="same", activation="relu")(y)
    a = L.Conv2D(16, 3, padding="same")(a)
    b = L.Conv2D(16, 1, strides=2)(y)
    return L.Flatten()(L.Add()([a, b]))


@pytest.mark.parametrize("first,relu", [(True, True), (False, False)])
def test_residual_add_fused(tmp_path, first, relu):
    """ADD(conv, skip) computed in the conv's epilogue over the skip's memory, either operand order, with and
    without the ADD's fused ReLU; the conv output tensor disappears."""
    program = _check(lambda x: _residual(x, first, relu), (8, 8, 3), tmp_path, 4 + first,
                     {"tg_convolve_add_s8": 1})  # the second writes the model's output
    fused = [layer for layer in program.layers if layer.kernel == "tg_convolve_add_s8"]
    assert len(fused) == 2 and all(layer.fused and layer.fused[0].kind == "ADD" for layer in fused)
    assert not any(layer.op.kind == "ADD" for layer in program.layers)


def test_residual_read_later_fused_not_in_place(tmp_path):
    """The skip tensor is read again after the ADD: fused, but written elsewhere; the second ADD (no conv
    operand left) runs as an ADD in place over an operand that dies there."""
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        h = L.Conv2D(6, 3, padding="same")(x)
        y = L.Add()([h, L.Conv2D(6, 3, padding="same")(h)])
        return L.Conv2D(2, 1)(L.Add()([L.DepthwiseConv2D(3, padding="same")(y), h]))

    program = _check(build, (7, 6, 2), tmp_path, 6, {"tg_elementwise_add_s8": 1})
    fused = next(layer for layer in program.layers if layer.kernel == "tg_convolve_add_s8")
    assert fused.applied_inplace is None
    assert pointer(program, fused.outputs[0]) != pointer(program, fused.inputs[1])


def test_elementwise_and_pooling(tmp_path):
    """ADD and MUL of two non-conv branches, LOGISTIC, TANH, HARD_SWISH, pooling windows that do not reach
    back: each over its input."""
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        h = L.Conv2D(6, 1)(x)
        a = L.DepthwiseConv2D(3, padding="same")(h)
        b = L.AveragePooling2D(3, strides=1, padding="same")(h)
        y = L.Add()([a, b])
        y = L.Activation("sigmoid")(y)
        y = L.Multiply()([y, L.DepthwiseConv2D(1)(y)])
        y = L.Activation("tanh")(L.MaxPooling2D(2)(y))
        y = L.Activation("hard_swish")(L.DepthwiseConv2D(1)(y))
        return L.Conv2D(2, 1)(L.AveragePooling2D(2)(y))

    _check(build, (8, 10, 3), tmp_path, 7, {"tg_elementwise_add_s8": 1, "tg_elementwise_mul_s8": 1,
                                             "tg_logistic_s8": 1, "tg_tanh_s8": 1, "tg_hard_swish_s8": 1,
                                             "tg_max_pool_s8": 1, "tg_avgpool_s8": 1})


def test_not_in_place_where_unsafe(tmp_path):
    """The user's input is never written; an input read by a later layer is not overwritten."""
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        a = L.DepthwiseConv2D(3, padding="same")(x)  # input: the user's buffer
        b = L.Conv2D(4, 1)(a)  # a is read again below
        return L.Add()([L.DepthwiseConv2D(1)(b), L.Conv2D(4, 1)(a)])

    model = keras_model(build, (5, 5, 4), seed=8)
    tflite = int8_tflite(model, (5, 5, 4), seed=8)
    program = _program(tflite, tmp_path)
    first, second = program.layers[0], program.layers[1]
    assert first.applied_inplace is None and pointer(program, first.inputs[0]) == "input"
    assert second.applied_inplace is None and pointer(program, second.inputs[0]) != pointer(program, second.outputs[0])
    assert_bit_exact(tflite, tmp_path, count=3, seed=8)


def test_cmsis_nn_layers_keep_their_memory(tmp_path):
    """On the cmsis-nn backend, layers that run CMSIS-NN's convolutions get no in-place form and no fusion
    (CMSIS-NN does not promise an access order); its elementwise ADD reads each element before writing it."""
    import tensorflow as tf

    L = tf.keras.layers

    def build(x):
        h = L.Conv2D(6, 1)(x)
        y = L.Add()([L.DepthwiseConv2D(3, padding="same")(h), L.AveragePooling2D(3, 1, padding="same")(h)])
        return L.Add()([L.Conv2D(6, 1)(y), y])

    tflite = int8_tflite(keras_model(build, (6, 6, 3), seed=9), (6, 6, 3), seed=9)
    program = _program(tflite, tmp_path, backend="cmsis-nn")
    for layer in program.layers:
        if layer.kernel.startswith("arm_") and layer.op.kind != "ADD":
            assert layer.applied_inplace is None and not layer.fused, layer.summary
    assert any(layer.applied_inplace for layer in program.layers if layer.kernel == "arm_elementwise_add_s8")


# ---- raster_safe against a simulation of the kernels' access order ----

def _reads(geo, b, oy, ox):
    """Input pixel indices a window reads (taps inside the input only, as tg_window_taps clips them)."""
    out = []
    for ky, kx in itertools.product(range(geo["k_h"]), range(geo["k_w"])):
        iy = oy * geo["stride_h"] - geo["pad_h"] + ky * geo["dil_h"]
        ix = ox * geo["stride_w"] - geo["pad_w"] + kx * geo["dil_w"]
        if 0 <= iy < geo["in_h"] and 0 <= ix < geo["in_w"]:
            out.append((b * geo["in_h"] + iy) * geo["in_w"] + ix)
    return out


def _simulated_safe(geo) -> bool:
    """Per channel, raster order: read the window of output pixel q, then write it over input pixel q."""
    overwritten = set()
    q = 0
    for b, oy, ox in itertools.product(range(geo["n"]), range(geo["out_h"]), range(geo["out_w"])):
        if overwritten.intersection(_reads(geo, b, oy, ox)):
            return False
        overwritten.add(q)
        q += 1
    return True


def _geometry(rng):
    from tinygen.quant import padding_and_output

    ih, iw = (int(v) for v in rng.integers(1, 9, 2))
    kh, kw = (int(v) for v in rng.integers(1, 5, 2))
    sh, sw = (int(v) for v in rng.integers(1, 4, 2))
    dh, dw = (int(v) for v in rng.integers(1, 3, 2))
    padding = int(rng.integers(0, 2))
    oh, ph = padding_and_output(padding, ih, kh, sh, dh)
    ow, pw = padding_and_output(padding, iw, kw, sw, dw)
    return dict(n=int(rng.integers(1, 3)), in_h=ih, in_w=iw, out_h=oh, out_w=ow, k_h=kh, k_w=kw, stride_h=sh,
                stride_w=sw, dil_h=dh, dil_w=dw, pad_h=ph, pad_w=pw)


def test_raster_safe_is_sound():
    """Whenever raster_safe says yes, the simulated kernel never reads a byte it overwrote."""
    rng = np.random.default_rng(0)
    said_yes = 0
    for _ in range(1500):
        geo = _geometry(rng)
        if geo["out_h"] < 1 or geo["out_w"] < 1:
            continue
        if raster_safe(Window(**geo)):
            said_yes += 1
            assert _simulated_safe(geo), geo
    assert said_yes > 300  # the test is not vacuous


def test_raster_safe_known_cases():
    base = dict(n=1, dil_h=1, dil_w=1)
    same_s1 = dict(base, in_h=8, in_w=8, out_h=8, out_w=8, k_h=3, k_w=3, stride_h=1, stride_w=1, pad_h=1, pad_w=1)
    same_s2 = dict(same_s1, out_h=4, out_w=4, stride_h=2, stride_w=2, pad_h=0, pad_w=0)
    valid_s1 = dict(same_s1, out_h=6, out_w=6, pad_h=0, pad_w=0)
    assert not raster_safe(Window(**same_s1)) and raster_safe(Window(**same_s2)) and raster_safe(Window(**valid_s1))


# ---- planner pieces ----

def test_planner_uses_the_bytes_a_shrinking_output_frees():
    """A stride-2 output written over its input holds only its own bytes afterwards: a buffer born then fits
    beside it, where a whole-lifetime rectangle would not leave room."""
    merged = planner.Buffer("chain", 1000, 0, 1)
    merged.add_piece(1, 5, 250)
    late = planner.Buffer("late", 700, 2, 5)
    early = planner.Buffer("early", 300, 0, 0)
    size = planner.place([merged, late, early])
    planner.check([merged, late, early])
    assert size == 1312  # 1000 + 300 at layer 0 (16-byte alignment); late sits at 256
    assert late.offset == 256 and planner.lower_bound([merged, late, early], 6) == 1300


@pytest.mark.parametrize("model,head", [("kws_ref_model", 16000), ("pretrainedResnet_quant", 49152),
                                        ("vww_96_int8", 73728), ("str_ww_ref_model", 6656), ("ad01_int8", 768)])
def test_mlperf_arena_below_tflm_head(model, head):
    """TFLM's recording allocator's head (activations) for these models, measured by bench/memory.py."""
    path = mlperf_model(model)
    assert compile_model(path).arena_size <= head


def test_slower_in_place_forms_only_where_they_shrink_the_arena():
    """vww: the channel-plane depthwise kernel is slower than the ordinary one; layers where the arena has room
    anyway (the 48x48x8 depthwise sits below the 48x48x16 peak) keep the ordinary kernel, out of place."""
    path = mlperf_model("vww_96_int8")
    program = compile_model(path)
    first_dw = program.layers[1]
    assert first_dw.kernel == "tg_depthwise_conv_s8" and first_dw.applied_inplace is None
    assert program.arena_size == 36880  # the 48x48x16 tensor plus one output pixel of the 1x1 kernel
