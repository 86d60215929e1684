"""Every row of docs/errors.md: the bad input is made here, run through the CLI, and must print exactly the
documented line (`…` in the table stands for any text) on stderr with exit status 2 and no traceback."""
from __future__ import annotations

import copy
import os
import re

import flatbuffers
import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema
from click.testing import CliRunner

from tests.support.helpers import REPO, edit_tflite
from tests.support.schema_model import SchemaModel, cnn_model, fc_model, shape_op_model

from tinygen.cli import main
from tinygen.errors import TinygenError
from tinygen.frontend.tflite import parse_tflite

DOC = REPO / "docs" / "errors.md"


# ---- bad models, built through the schema object API ----

def _edited(edit, make=lambda: fc_model(1)) -> bytes:
    return edit_tflite(make(), edit)


def _tensor(model, i):
    return model.subgraphs[0].tensors[i]


def _set_root_field(raw: bytes, vtable_offset: int, value: int) -> bytes:
    """Overwrite the uoffset of one field of the root Model table (slot at vtable_offset)."""
    root = schema.Model.GetRootAs(raw, 0)
    pos = root._tab.Pos + root._tab.Offset(vtable_offset)
    data = bytearray(raw)
    data[pos:pos + 4] = value.to_bytes(4, "little")
    return bytes(data)


def overlapping_tables() -> bytes:
    """A crafted flatbuffer whose tensor table lists one tensor 10000 times, with a 64 KB name: small on disk,
    quadratic to decode naively."""
    b = flatbuffers.Builder(0)
    name = b.CreateString("x" * 65536)
    schema.TensorStartShapeVector(b, 2)
    b.PrependInt32(16)
    b.PrependInt32(1)
    shape = b.EndVector()
    schema.TensorStart(b)
    schema.TensorAddShape(b, shape)
    schema.TensorAddName(b, name)
    tensor = schema.TensorEnd(b)
    schema.SubGraphStartTensorsVector(b, 10000)
    for _ in range(10000):
        b.PrependUOffsetTRelative(tensor)
    tensors = b.EndVector()
    schema.SubGraphStart(b)
    schema.SubGraphAddTensors(b, tensors)
    sg = schema.SubGraphEnd(b)
    schema.ModelStartSubgraphsVector(b, 1)
    b.PrependUOffsetTRelative(sg)
    subgraphs = b.EndVector()
    schema.ModelStart(b)
    schema.ModelAddVersion(b, 3)
    schema.ModelAddSubgraphs(b, subgraphs)
    b.Finish(schema.ModelEnd(b), file_identifier=b"TFL3")
    return bytes(b.Output())


def _unsupported_ops() -> bytes:
    m = SchemaModel("unsupported")
    x = m.tensor([1, 8], scale=0.05)
    a, b, y = (m.tensor([1, 8], scale=0.05) for _ in range(3))
    m.op("LOCAL_RESPONSE_NORMALIZATION", [x], [a])
    m.op("RELU", [a], [b])
    m.op("RANK", [b], [y])
    return m.finish([x], [y])


def _fc(x_dtype="int8", w_dtype="int8", bias_dtype="int32", accum=16, out_shape=(1, 4), **quant) -> bytes:
    m = SchemaModel("fc")
    q = dict(scale=None) if x_dtype == "float32" else dict(scale=quant.get("x_scale", 0.05),
                                                           zero_point=quant.get("x_zp", 0))
    x = m.tensor([1, accum], x_dtype, **q)
    w_scale = quant.get("w_scale", 0.01)
    w_data = quant.get("w_data", np.ones((4, accum), np.float32 if w_dtype == "float32" else np.int8))
    w = m.tensor([4, accum], w_dtype, data=w_data, scale=None if w_dtype == "float32" else w_scale,
                 zero_point=[0] * len(np.atleast_1d(w_scale)))
    bias_data = np.zeros(4, {"int32": np.int32, "int64": np.int64, "float32": np.float32}[bias_dtype])
    b = m.tensor([4], bias_dtype, data=bias_data, scale=None if bias_dtype == "float32" else 0.0005)
    y = m.tensor(list(out_shape), x_dtype, **({} if x_dtype == "float32" else dict(scale=0.1)))
    m.op("FULLY_CONNECTED", [x, w, b], [y], **quant.get("options", {}))
    return m.finish([x], [y])


def _float_log_softmax() -> bytes:
    m = SchemaModel("float_log_softmax")
    x, y = m.tensor([2, 4], "float32"), m.tensor([2, 4], "float32")
    m.op("LOG_SOFTMAX", [x], [y])
    return m.finish([x], [y])


def _conv_stride_zero() -> bytes:
    def edit(model):
        model.subgraphs[0].operators[0].builtinOptions.strideW = 0
    return _edited(edit, lambda: cnn_model(3))


def _relu(name: str, shape: list[int]) -> bytes:
    """One RELU on a `shape` tensor: for the size limits."""
    m = SchemaModel(name)
    x = m.tensor(shape, scale=0.05)
    y = m.tensor(shape, scale=0.05)
    m.op("RELU", [x], [y])
    return m.finish([x], [y])


def _too_many_operators() -> bytes:
    m = SchemaModel("chain")
    first = t = m.tensor([1, 8], scale=0.05)
    for _ in range(4097):
        u = m.tensor([1, 8], scale=0.05)
        m.op("RELU6", [t], [u])
        t = u
    return m.finish([first], [t])


def _stateful() -> bytes:
    return _edited(lambda model: setattr(_tensor(model, 0), "isVariable", True))


def _two_subgraphs() -> bytes:
    return _edited(lambda model: model.subgraphs.append(copy.deepcopy(model.subgraphs[0])))


def _dynamic() -> bytes:
    return _edited(lambda model: setattr(_tensor(model, 0), "shapeSignature", [1, -1]))


def _buffer_out_of_range() -> bytes:
    return _edited(lambda model: setattr(_tensor(model, 1), "buffer", 99))


def _short_buffer() -> bytes:
    def edit(model):
        b = model.buffers[_tensor(model, 1).buffer]
        b.data = np.asarray(b.data)[:-8]
    return _edited(edit)


def _scale(value) -> bytes:
    return _edited(lambda model: setattr(_tensor(model, 3).quantization, "scale", [value]))


def _zero_point(value) -> bytes:
    return _edited(lambda model: setattr(_tensor(model, 0).quantization, "zeroPoint", [value]))


def _channel_scales() -> bytes:
    def edit(model):
        q = _tensor(model, 4).quantization  # the per-channel weights of the second layer: 4 output channels
        q.scale, q.zeroPoint = list(q.scale)[:3], [0, 0, 0]
    return _edited(edit)


def _int64_fc() -> bytes:
    return _fc(x_dtype="int64", bias_dtype="int32")


def _int16_inside() -> bytes:
    """int8 in and out, an int16 ELU (no 16x8 kernel in tinygen) between two QUANTIZE operators."""
    m = SchemaModel("int16")
    x = m.tensor([1, 16], scale=0.05)
    x16 = m.tensor([1, 16], "int16", scale=0.001)
    m.op("QUANTIZE", [x], [x16])
    y16 = m.tensor([1, 16], "int16", scale=1 / 32768)
    m.op("ELU", [x16], [y16])
    y = m.tensor([1, 16], scale=0.1)
    m.op("QUANTIZE", [y16], [y])
    return m.finish([x], [y])


def _int4_operand() -> bytes:
    """An int4 constant as an ADD operand: TFLM reads int4 only as convolution and FULLY_CONNECTED filters."""
    from tinygen.ops import int4

    m = SchemaModel("int4")
    x = m.tensor([1, 4], scale=0.05)
    c = m.tensor([1, 4], "int4", scale=0.05, data=int4.pack(np.array([1, -2, 3, -4], np.int8)))
    y = m.tensor([1, 4], scale=0.1)
    m.op("ADD", [x, c], [y])
    return m.finish([x], [y])


def _accumulator() -> bytes:
    return _fc(accum=70000, w_data=np.full((4, 70000), -127, np.int8))


def _inconsistent() -> bytes:
    return _fc(out_shape=(1, 5))


# ---- the rows: title in docs/errors.md → how to produce it (files in the working directory, CLI arguments) ----

def _model(raw: bytes, name: str = "model.tflite"):
    return lambda tmp: ((tmp / name).write_bytes(raw), ["report", name])[1]


def _keras_with_calibration(calibration: np.ndarray):
    def make(tmp):
        keras = pytest.importorskip("keras")
        model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)])
        model.save(tmp / "net.keras")
        np.save(tmp / "calib.npy", calibration)
        return ["build", "net.keras", "--board", "nucleo_f446re", "--calibration", "calib.npy"]
    return make


def _onnx_file(make):
    """An ONNX model from tests/support/onnx_models (or a builder of one) saved beside calibration data."""
    def rows(tmp):
        onnx = pytest.importorskip("onnx", reason='the ONNX extra: pip install -e ".[onnx]"')
        onnx.save(make(), tmp / "net.onnx")
        np.save(tmp / "calib.npy", np.zeros((4, 1, 4, 4), np.float32))
        return ["build", "net.onnx", "--board", "nucleo_f446re", "--calibration", "calib.npy"]
    return rows


def _onnx_graph(name: str, kind: str, out_shape, **attrs):
    from onnx import TensorProto, helper

    from tests.support.onnx_models import OnnxBuilder

    def make():
        b = OnnxBuilder()
        inputs = ["x"]
        if kind == "QuantizeLinear":
            inputs += [b.const(np.float32(0.1)), b.const(np.int8(0))]
        node = helper.make_node(kind, inputs, ["y"], **attrs)
        elem = TensorProto.INT8 if kind == "QuantizeLinear" else TensorProto.FLOAT
        graph = helper.make_graph([node], name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 1, 4, 4])],
                                  [helper.make_tensor_value_info("y", elem, out_shape)], b.initializers)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    return make


def _two_inputs() -> bytes:
    """ADD of inputs 'a' and 'b'."""
    from tests.support.schema_model import SchemaModel

    m = SchemaModel()
    a, b = (m.tensor((1, 4), scale=0.1, name=n) for n in "ab")
    y = m.tensor((1, 4), scale=0.2, name="y")
    m.op("ADD", [a, b], [y])
    return m.finish([a, b], [y])


def _two_inputs_given(fname: str, arrays: dict):
    def make(tmp):
        (tmp / "model.tflite").write_bytes(_two_inputs())
        if fname.endswith(".npz"):
            np.savez(tmp / fname, **arrays)
        else:
            np.save(tmp / fname, arrays["a"])
        return ["emulate", "model.tflite", "--input", fname]
    return make


def _user_files(tmp):
    (tmp / "model.tflite").write_bytes(fc_model(1))
    (tmp / "proj").mkdir()
    (tmp / "proj" / "notes.txt").write_text("mine")
    return ["build", "model.tflite", "--board", "nucleo_f446re", "-o", "proj"]


def _file_as_project(tmp):
    (tmp / "model.tflite").write_bytes(fc_model(1))
    (tmp / "proj").write_text("not a directory")
    return ["build", "model.tflite", "--board", "nucleo_f446re", "-o", "proj"]


_HELD_LOCKS: list[int] = []  # lock files this process holds for a row; closed after the row's command


def _locked_by_another_build(tmp):
    """Another process's build of proj holds its lock (the row waits 0 s)."""
    import fcntl

    from tinygen.build_lock import lock_path

    (tmp / "model.tflite").write_bytes(fc_model(1))
    fd = os.open(lock_path(tmp / "proj"), os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    os.write(fd, b"4242\n")
    _HELD_LOCKS.append(fd)
    return ["build", "model.tflite", "--board", "nucleo_f446re", "-o", "proj"]


def _dangling_link(tmp):
    (tmp / "model.tflite").write_bytes(fc_model(1))
    (tmp / "proj").symlink_to("gone")
    return ["build", "model.tflite", "--board", "nucleo_f446re", "-o", "proj"]


def _user_files_left_in_staging(tmp):
    """What builds that ran at once without the lock could leave: a staging tree holding a user's file."""
    (tmp / "model.tflite").write_bytes(fc_model(1))
    (tmp / ".proj.tinygen-123-0123abcd").mkdir()
    (tmp / ".proj.tinygen-123-0123abcd" / "notes.txt").write_text("mine")
    return ["build", "model.tflite", "--board", "nucleo_f446re", "-o", "proj"]


def _emulate_inputs(tmp, x: np.ndarray):
    (tmp / "model.tflite").write_bytes(fc_model(1))
    np.save(tmp / "x.npy", x)
    return ["emulate", "model.tflite", "--input", "x.npy"]


def _gelu_layer(tmp):
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="gelu", name="dense")])
    model.save(tmp / "net.keras")
    np.save(tmp / "calib.npy", np.random.default_rng(0).standard_normal((8, 4)).astype(np.float32))
    return ["build", "net.keras", "--board", "nucleo_f446re", "--calibration", "calib.npy"]


def _empty_file(tmp):
    (tmp / "model.tflite").write_bytes(fc_model(1))
    (tmp / "x.npy").write_bytes(b"")
    return ["emulate", "model.tflite", "--input", "x.npy"]


def _crash_hook(tmp, step: str) -> dict:
    """Environment whose Python children replace `step` with a segfault (tests/e2e/test_contain.py)."""
    from tests.e2e.test_contain import CRASH

    module, function = step.split(":")
    (tmp / "hook").mkdir()
    (tmp / "hook" / "sitecustomize.py").write_text(CRASH.format(module=module, function=function, signal="SIGSEGV"))
    return {"PYTHONPATH": os.pathsep.join([str(tmp / "hook"), os.environ.get("PYTHONPATH", "")])}


def _converter_crash(tmp):
    return _keras_with_calibration(np.ones((8, 4), np.float32))(tmp), _crash_hook(
        tmp, "tinygen.frontend.keras:convert_saved_model")


def _oracle_crash(tmp):
    return (_emulate_inputs(tmp, np.zeros((2, 1, 16), np.int8)),
            _crash_hook(tmp, "tinygen.oracle:run_reference"))


def _broken_cc(tmp):
    (tmp / "bin").mkdir()
    (tmp / "bin" / "cc").write_text("#!/bin/sh\necho 'cc: internal compiler error' >&2\nexit 1\n")
    (tmp / "bin" / "cc").chmod(0o755)
    env = {"PATH": f"{tmp / 'bin'}{os.pathsep}{os.environ['PATH']}", "TINYGEN_CACHE": str(tmp / "cache")}
    return _emulate_inputs(tmp, np.zeros((2, 1, 16), np.int8)), env


def _broken_size(tmp):
    (tmp / "bin").mkdir()
    (tmp / "bin" / "arm-none-eabi-size").write_text("#!/bin/sh\nkill -SEGV $$\n")
    (tmp / "bin" / "arm-none-eabi-size").chmod(0o755)
    (tmp / "model.tflite").write_bytes(fc_model(1))
    env = {"PATH": f"{tmp / 'bin'}{os.pathsep}{os.environ['PATH']}", "TINYGEN_CACHE": str(tmp / "cache")}
    return ["report", "model.tflite", "--board", "nucleo_f446re"], env


def _cache_is_a_file(tmp):
    (tmp / "cache").write_text("not a directory")
    return _emulate_inputs(tmp, np.zeros((2, 1, 16), np.int8)), {"TINYGEN_CACHE": str(tmp / "cache")}


ROWS = {
    "Missing model file": lambda tmp: ["report", "missing.tflite"],
    "Not a flatbuffer (a text file)": lambda tmp: ((tmp / "notes.tflite").write_text("hello\n"),
                                                   ["report", "notes.tflite"])[1],
    "A Keras .h5 file passed as .tflite": lambda tmp: ((tmp / "model.tflite").write_bytes(b"\x89HDF\r\n\x1a\n" + bytes(64)),
                                                       ["report", "model.tflite"])[1],
    "Wrong file identifier": _model(fc_model(1)[:4] + b"ONNX" + fc_model(1)[8:]),
    "Truncated file": _model(fc_model(1)[:700]),
    "Offset out of range": _model(_set_root_field(fc_model(1), 8, 0x7FFFFFF0)),
    "Buffer index out of range": _model(_buffer_out_of_range()),
    "Constant data size not matching its shape": _model(_short_buffer()),
    "Crafted file whose tables overlap": _model(overlapping_tables()),
    "Schema version other than 3": _model(_edited(lambda model: setattr(model, "version", 2))),
    "Several subgraphs (control flow)": _model(_two_subgraphs()),
    "Dynamic or unknown dimension": _model(_dynamic()),
    "Unsupported operators": _model(_unsupported_ops()),
    "Float operators without a float kernel in tinygen": _model(_float_log_softmax()),
    "Dynamic-range quantization (float activations, int8 weights)": _model(_fc(x_dtype="float32", w_dtype="int8",
                                                                               bias_dtype="float32")),
    "int64 model input or output": _model(_int64_fc()),
    "An int16 operator without a 16x8 kernel in tinygen": _model(_int16_inside()),
    "An int4 tensor other than a convolution's or FULLY_CONNECTED's weights": _model(_int4_operand()),
    "Zero, negative, NaN or infinite scale": _model(_scale(0.0)),
    "Zero point outside the type's range": _model(_zero_point(200)),
    "Per-channel scales not matching the channel count": _model(_channel_scales()),
    "Stride, dilation or filter size below 1": _model(_conv_stride_zero()),
    "Shapes that do not fit the operator": _model(_inconsistent()),
    "Tensor larger than any microcontroller model": _model(_relu("huge", [1, 5000, 5000, 3])),
    "Variable tensor (state) outside an SVDF": _model(_stateful()),
    "An operator beyond what TFLite Micro's kernel accepts": _model(
        shape_op_model("TRANSPOSE", [1, 2, 1, 2, 1, 2], [2, 1, 2, 1, 2, 1], [[5, 4, 3, 2, 1, 0]], placement="alone")),
    "More operators than any microcontroller model": lambda tmp: _model(_too_many_operators())(tmp),
    "Weights that could overflow the int32 accumulator": _model(_accumulator()),
    "Unknown board": lambda tmp: ((tmp / "model.tflite").write_bytes(fc_model(1)),
                                  ["build", "model.tflite", "--board", "nucleo_f44re"])[1],
    "Model too big for the board": lambda tmp: (
        (tmp / "big.tflite").write_bytes(_relu("big", [1, 320, 320, 2])),
        ["build", "big.tflite", "--board", "nucleo_f446re"])[1],
    "Calibration data of the wrong shape": _keras_with_calibration(np.zeros((8, 5), np.float32)),
    "Calibration data with NaN": _keras_with_calibration(np.full((8, 4), np.nan, np.float32)),
    "Already-quantized ONNX model (QDQ or QLinear operators)": _onnx_file(
        _onnx_graph("net", "QuantizeLinear", [1, 1, 4, 4])),
    "ONNX operator onnx2tf cannot convert": _onnx_file(_onnx_graph("net", "LpPool", [1, 1, 3, 3], kernel_shape=[2, 2])),
    "Float ONNX model without calibration data": lambda tmp: (
        _onnx_file(_onnx_graph("net", "Relu", [1, 1, 4, 4]))(tmp)[:4]),
    "Output directory holding user files": _user_files,
    "Output path that is a file": _file_as_project,
    "Output path that is a symbolic link to nothing": _dangling_link,
    "Another build of the directory that does not end": _locked_by_another_build,
    "User files in a staging directory an interrupted build left": _user_files_left_in_staging,
    "Command-line usage error": lambda tmp: ["build", "model.tflite"],
    "Option value out of range": lambda tmp: ["emulate", "model.tflite", "--count", "0"],
    "Emulator inputs of the wrong shape": lambda tmp: _emulate_inputs(tmp, np.zeros((3, 5), np.int8)),
    "Empty emulator inputs": lambda tmp: _emulate_inputs(tmp, np.zeros((0, 1, 16), np.int8)),
    "Emulator count beyond the limit": lambda tmp: ["emulate", "model.tflite", "--count", "1000000000"],
    "Several inputs without a .npz keyed by name": _two_inputs_given("x.npz", {"a": np.zeros((1, 4), np.int8)}),
    "Several inputs in one .npy": _two_inputs_given("x.npy", {"a": np.zeros((1, 4), np.int8)}),
    "Empty or truncated input file": _empty_file,
    "Input array that is not numbers": lambda tmp: _emulate_inputs(tmp, np.array(["abc", "de"])),
    "More input samples than an emulator batch takes": lambda tmp: _emulate_inputs(
        tmp, np.zeros((100_001, 1, 16), np.int8)),
    "Keras layer with no int8 kernel (e.g. GELU)": _gelu_layer,
    "TensorFlow's converter crashes (native code)": _converter_crash,
    "The TFLM reference crashes (native code)": _oracle_crash,
    "Broken C compiler": _broken_cc,
    "Broken binutils (`size` of the core's toolchain, used by `report --board` and the fit check)": _broken_size,
    "Build cache that cannot be written": _cache_is_a_file,
}


def documented() -> dict[str, str]:
    """docs/errors.md rows: title → message (between backticks)."""
    rows = {}
    for line in DOC.read_text().splitlines():
        m = re.match(r"^\| (.+?) \| `(error: .+)` \|$", line)
        if m:
            rows[m.group(1)] = m.group(2)
    return rows


def test_every_row_is_tested_and_documented():
    assert set(documented()) == set(ROWS)


@pytest.mark.parametrize("title", list(ROWS))
def test_error_row(title, tmp_path, monkeypatch):
    from tinygen import build_lock

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(build_lock, "WAIT_SECONDS", 0)  # refuse at once: no waiting line
    args = ROWS[title](tmp_path)
    if isinstance(args, tuple):  # (arguments, environment)
        args, env = args
        for name, value in env.items():
            monkeypatch.setenv(name, value)
    try:
        result = CliRunner().invoke(main, args, prog_name="tinygen")
    finally:
        while _HELD_LOCKS:
            os.close(_HELD_LOCKS.pop())
    message = result.stderr.strip()
    assert result.exit_code == 2, (result.exit_code, message, result.exception)
    assert "Traceback" not in result.output + result.stderr
    expected = documented()[title]
    pattern = ".*".join(re.escape(part) for part in expected.split("…"))
    assert re.fullmatch(pattern, message), f"\n  got:      {message}\n  expected: {expected}"


def test_overlapping_tables_fail_fast():
    import time
    start = time.perf_counter()
    with pytest.raises(TinygenError, match="overlap"):
        parse_tflite(overlapping_tables())
    assert time.perf_counter() - start < 1


def test_user_files_survive(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    CliRunner().invoke(main, _user_files(tmp_path))
    assert (tmp_path / "proj" / "notes.txt").read_text() == "mine"
    assert sorted(p.name for p in (tmp_path / "proj").iterdir()) == ["notes.txt"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".proj")]  # no staging directory left


def test_debug_shows_the_traceback(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--debug", "report", "missing.tflite"])
    assert isinstance(result.exception, TinygenError)


def test_internal_error_is_one_line_with_exit_3(tmp_path, monkeypatch):
    import tinygen.compiler

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(tinygen.compiler, "compile_model", broken)
    (tmp_path / "model.tflite").write_bytes(fc_model(1))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report", "model.tflite"])
    assert result.exit_code == 3
    assert result.stderr.strip() == ("error: internal error (KeyError: 'boom') — this is a bug in tinygen: rerun "
                                     "with --debug and report the traceback")


def test_os_error_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.tflite").write_bytes(fc_model(1))
    result = CliRunner().invoke(main, ["emulate", "model.tflite", "--count", "1", "--output", "no/such/dir/y.npy"])
    assert result.exit_code == 2
    assert result.stderr.strip().startswith("error: ") and "Traceback" not in result.stderr


def test_custom_operator_is_unsupported_not_corrupted(tmp_path):
    """A custom operator's inputs need not follow builtin rules (an Ethos-U command stream reads a scratch tensor
    nothing computes): the model is refused naming the operator, never as corrupted."""
    from tinygen.compiler import compile_model
    from tinygen.errors import TinygenError

    m = SchemaModel("npu")
    x, scratch, y = (m.tensor([1, 8], scale=0.05) for _ in range(3))
    m.op("RELU", [x, scratch], [y])
    code = m.model.operatorCodes[0]
    code.builtinCode = code.deprecatedBuiltinCode = schema.BuiltinOperator.CUSTOM
    code.customCode = "ethos-u"
    path = tmp_path / "npu.tflite"
    path.write_bytes(m.finish([x], [y]))
    with pytest.raises(TinygenError, match=r"^unsupported operators: CUSTOM:ethos-u \(operator 0\)"):
        compile_model(path)
