"""`tinygen emulate`: generated C vs the TFLM reference interpreter, byte for byte."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import backends, codegen, oracle
from .compiler import Program, compile_model
from .emulator import host, qemu
from .arrays import load_array
from .errors import TinygenError
from .ir import Tensor
from .limits import MAX_SAMPLES

NUMPY_DTYPES = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "float32": np.float32}


@dataclass
class Comparison:
    inputs: int
    mismatched_bytes: int
    max_abs_diff: float
    outputs: np.ndarray  # tinygen's
    expected: np.ndarray  # TFLM's
    target: str = "host"
    backend: str = "portable"  # the kernels that ran
    instructions: list[int] | None = None  # executed guest instructions per inference (QEMU targets)
    note: str = ""
    isa: str = ""  # what the instruction counts stand for, when only a proxy for the board's core

    @property
    def exact(self) -> bool:
        return self.mismatched_bytes == 0

    def summary(self) -> str:
        verdict = "bit-exact" if self.exact else "MISMATCH"
        text = (f"{verdict}: {self.inputs} inputs, {self.mismatched_bytes} mismatching bytes, "
                f"max |diff| {self.max_abs_diff:g} ({self.target}, {self.backend} kernels)")
        if self.instructions:
            lo, hi = min(self.instructions), max(self.instructions)
            mean = sum(self.instructions) / len(self.instructions)
            spread = f"{lo:,}" if lo == hi else f"{lo:,}..{hi:,} (mean {mean:,.0f})"
            text += f"\n{spread} instructions per inference" + (f" ({self.isa})" if self.isa else "")
        if self.note:
            text += f"\n{self.note}"
        return text


def random_inputs(tensor: Tensor, count: int, seed: int) -> np.ndarray:
    if not 1 <= count <= MAX_SAMPLES:
        raise TinygenError(f"count {count} is outside the range 1..{MAX_SAMPLES:,}",
                           f"give a count of random inputs from 1 to {MAX_SAMPLES:,}")
    rng = np.random.default_rng(seed)
    shape = (count,) + tuple(tensor.shape)
    if tensor.dtype in ("int8", "int16", "int32"):
        info = np.iinfo(NUMPY_DTYPES[tensor.dtype])
        return rng.integers(info.min, info.max + 1, size=shape, dtype=NUMPY_DTYPES[tensor.dtype])
    if tensor.quant is not None:  # float input quantized inside the model: cover its int8 range
        lo = (-128 - tensor.zero_point) * tensor.scale
        hi = (127 - tensor.zero_point) * tensor.scale
        return rng.uniform(lo, hi, size=shape).astype(np.float32)
    return rng.standard_normal(size=shape).astype(np.float32)


def load_inputs(path: Path, tensor: Tensor) -> np.ndarray:
    """A batch [N, *input_shape] (or one sample) from a .npy file, or a .npz's 'x' (else first) array."""
    data = load_array(path, "input")
    shape = tuple(tensor.shape)
    if data.shape == shape:
        data = data[np.newaxis]
    elif data.shape[1:] != shape:
        if data.ndim >= 1 and data.shape[1:] == shape[1:] and shape[0] == 1:
            data = data.reshape((-1,) + shape)
        else:
            raise TinygenError(f"{path} holds an array of shape {list(data.shape)}",
                               f"give [N, {', '.join(map(str, shape))}] or one sample {list(shape)}")
    if len(data) == 0:
        raise TinygenError(f"{path} holds no samples", f"give [N, {', '.join(map(str, shape))}] with N ≥ 1")
    want = NUMPY_DTYPES[tensor.dtype]
    if data.dtype != want:
        if (tensor.dtype in ("int8", "int16", "int32") and np.issubdtype(data.dtype, np.integer)
                and np.iinfo(want).min <= data.min() and data.max() <= np.iinfo(want).max):
            data = data.astype(want)
        elif tensor.dtype == "float32" and np.issubdtype(data.dtype, np.floating):
            data = data.astype(np.float32)
        else:
            raise TinygenError(f"{path} holds {data.dtype} values; the model's input is {tensor.dtype}",
                               f"convert the array to {tensor.dtype}")
    return np.ascontiguousarray(data)


def host_sources(program: Program, layer_marks: bool = False, sequence: bool = False) -> dict[str, str]:
    """Model, kernels and harness (plus CMSIS-NN on its backend) as {file: text}; `layer_marks`: see
    codegen.render_model; `sequence`: the harness carries the model's state from sample to sample instead of
    resetting it before each."""
    files = codegen.program_sources(program, layer_marks)
    files["main.c"] = codegen.environment().get_template("harness/main.c.j2").render(
        name=program.name, NAME=program.name.upper(), sequence=sequence)
    return files


def _cflags(program: Program, flags: list[str] | None, default: list[str] | None = None) -> list[str]:
    """Warnings, the backend's flags, then `flags`, else `default` (the cross compilers': -O2)."""
    return host.WARNINGS + list(program.backend.cflags) + (flags or default or ["-O2"])


def build_host(program: Program, flags: list[str] | None = None, sequence: bool = False) -> Path:
    """The program's harness executable for the host (cached); `flags` replace host.default_flags; `sequence`:
    the harness keeps the state from one sample to the next."""
    return host.build_cached(host_sources(program, sequence=sequence), ["cc"],
                             _cflags(program, flags, host.default_flags()))


def run_host(program: Program, inputs: np.ndarray, flags: list[str] | None = None,
             sequence: bool = False) -> np.ndarray:
    return run_executable(program, build_host(program, flags, sequence), inputs)


def run_executable(program: Program, exe: Path, inputs: np.ndarray) -> np.ndarray:
    """Outputs of the program's harness executable (build_host) for a batch of inputs."""
    return host.run_batch(exe, inputs, program.output.shape, NUMPY_DTYPES[program.output.dtype])


def run_qemu(program: Program, inputs: np.ndarray, target: str, flags: list[str] | None = None,
             sequence: bool = False) -> qemu.Run:
    t = qemu.target(target)
    elf = qemu.build(host_sources(program, sequence=sequence), t, _cflags(program, flags))
    return qemu.run(elf, t, inputs, program.output.shape, NUMPY_DTYPES[program.output.dtype])


def compare(outputs: np.ndarray, expected: np.ndarray) -> Comparison:
    a = outputs.reshape(len(outputs), -1)
    b = expected.reshape(len(expected), -1)
    mismatched = int(np.count_nonzero(a.view(np.uint8) != b.view(np.uint8))) if a.dtype == b.dtype else a.nbytes
    diff = float(np.max(np.abs(a.astype(np.float64) - b.astype(np.float64)))) if a.size else 0.0
    return Comparison(len(outputs), mismatched, diff, outputs, expected)


def emulate(model: Path, inputs: np.ndarray | Path | None = None, count: int = 10, seed: int = 0,
            flags: list[str] | None = None, target: str = "host", backend: str | None = None,
            sequence: bool = False) -> Comparison:
    """Compile for `backend` (default: backends.default_for the target's core), run on `target` ("host" or a QEMU
    target of tinygen.emulator.qemu), compare every output byte with TFLM. `inputs`: an array, a .npy path
    (load_inputs), or None for `count` random ones. The samples (the first axis) are independent, the model's
    state reset before each, as TFLM's reset() between them; `sequence`: they are consecutive steps of one
    sequence, the state carried from each to the next on both sides."""
    core = "host" if target == "host" else qemu.target(target).core
    backend = backend or backends.default_for(core)
    backends.get(backend, core).check_available()  # a missing source tree is reported before compiling
    program = compile_model(model, backend=backend, core=core)
    if inputs is None:
        inputs = random_inputs(program.input, count, seed)
    elif isinstance(inputs, (str, Path)):
        inputs = load_inputs(Path(inputs), program.input)
    if target == "host":
        run = qemu.Run(run_host(program, inputs, flags, sequence), None)
    else:
        run = run_qemu(program, inputs, target, flags, sequence)
    expected = oracle.reference_outputs(Path(model).read_bytes(), inputs, sequence).reshape(run.outputs.shape)
    result = compare(run.outputs, expected)
    result.target, result.instructions, result.note, result.isa = target, run.instructions, run.note, run.isa
    result.backend = backend
    return result
