"""`tinygen emulate`: generated C vs the TFLM reference interpreter, byte for byte."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import arrays, backends, codegen, oracle
from .compiler import Program, compile_model
from .emulator import host, qemu
from .arrays import checked, load_array
from .errors import TinygenError
from .ir import CTYPES, Tensor
from .limits import MAX_SAMPLES

NUMPY_DTYPES = {"int8": np.int8, "int16": np.int16, "int32": np.int32, "float32": np.float32, "uint8": np.uint8,
                "bool": np.bool_}


@dataclass
class Comparison:
    inputs: int
    mismatched_bytes: int
    max_abs_diff: float
    outputs: np.ndarray | dict[str, np.ndarray]  # tinygen's; of a model with several outputs {name: outputs}
    expected: np.ndarray | dict[str, np.ndarray]  # TFLM's, alike
    target: str = "host"
    backend: str = "portable"  # the kernels that ran
    instructions: list[int] | None = None  # executed guest instructions per inference (QEMU targets)
    note: str = ""
    isa: str = ""  # what the instruction counts stand for, when only a proxy for the board's core
    per_output: dict[str, int] | None = None  # several outputs: mismatching bytes of each

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
        for name, mismatched in (self.per_output or {}).items():
            text += f"\noutput {name}: " + ("bit-exact" if not mismatched else f"{mismatched} mismatching bytes")
        if self.note:
            text += f"\n{self.note}"
        return text


def random_input_set(program: Program, count: int, seed: int) -> np.ndarray | list[np.ndarray]:
    """Random samples of every input (an array for a model with one input, else one per input, in order)."""
    batches = [random_inputs(p.tensor, count, seed if k == 0 else [seed, k]) for k, p in enumerate(program.inputs)]
    return batches[0] if len(batches) == 1 else batches


def random_inputs(tensor: Tensor, count: int, seed) -> np.ndarray:
    if not 1 <= count <= MAX_SAMPLES:
        raise TinygenError(f"count {count} is outside the range 1..{MAX_SAMPLES:,}",
                           f"give a count of random inputs from 1 to {MAX_SAMPLES:,}")
    rng = np.random.default_rng(seed)
    shape = (count,) + tuple(tensor.shape)
    if tensor.dtype in ("int8", "int16", "int32", "uint8"):
        info = np.iinfo(NUMPY_DTYPES[tensor.dtype])
        return rng.integers(info.min, info.max + 1, size=shape, dtype=NUMPY_DTYPES[tensor.dtype])
    if tensor.dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(np.bool_)
    if tensor.quant is not None:  # float input quantized inside the model: cover its int8 range
        lo = (-128 - tensor.zero_point) * tensor.scale
        hi = (127 - tensor.zero_point) * tensor.scale
        return rng.uniform(lo, hi, size=shape).astype(np.float32)
    return rng.standard_normal(size=shape).astype(np.float32)


def load_input_set(path: Path, program: Program) -> np.ndarray | list[np.ndarray]:
    """A model's inputs from a file: for one input load_inputs, else a .npz with an array [N, *shape] (or one
    sample) per input, keyed by its name (the signature's or the tensor's, or the C parameter's)."""
    if len(program.inputs) == 1:
        return load_inputs(path, program.input)
    keys = [p.key for p in program.inputs]

    def named(archive) -> list[np.ndarray]:
        batches = []
        for p in program.inputs:
            key = next((k for k in (p.key, p.name) if k in archive.files), None)
            if key is None:
                raise TinygenError(f"{path} has no array for input '{p.key}' (it holds {archive.files})",
                                   f"save one array per input under its name: {keys}")
            batches.append(shaped_inputs(checked(archive[key], f"input '{key}' in {path}"), p.tensor,
                                         f"input '{key}' in {path}"))
        return batches

    batches = arrays.load(path, "input", named)
    if isinstance(batches, np.ndarray):
        raise TinygenError(f"{path} holds one array; the model has {len(keys)} inputs",
                           f"save them with numpy.savez(path, **{{name: samples}}) for the names {keys}")
    if len({len(b) for b in batches}) != 1:
        raise TinygenError(f"the inputs in {path} hold different numbers of samples ({[len(b) for b in batches]})",
                           "give every input the same number of samples")
    return batches


def load_inputs(path: Path, tensor: Tensor) -> np.ndarray:
    """A batch [N, *input_shape] (or one sample) from a .npy file, or a .npz's 'x' (else first) array."""
    return shaped_inputs(load_array(path, "input"), tensor, str(path))


def shaped_inputs(data: np.ndarray, tensor: Tensor, path: str) -> np.ndarray:
    """`data` as a batch [N, *shape] of the tensor's type (one sample gets the batch axis)."""
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
        elif tensor.dtype == "bool" and np.issubdtype(data.dtype, np.integer) and np.isin(data, (0, 1)).all():
            data = data.astype(np.bool_)
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
        name=program.name, NAME=program.name.upper(), sequence=sequence, inputs=program.inputs,
        outputs=program.outputs, ctypes=CTYPES)
    return files


def _cflags(program: Program, flags: list[str] | None, default: list[str] | None = None) -> list[str]:
    """Warnings, the backend's flags, then `flags`, else `default` (the cross compilers': -O2)."""
    return host.WARNINGS + host.FLOAT_EXACT + list(program.backend.cflags) + (flags or default or ["-O2"])


def build_host(program: Program, flags: list[str] | None = None, sequence: bool = False) -> Path:
    """The program's harness executable for the host (cached); `flags` replace host.default_flags; `sequence`:
    the harness keeps the state from one sample to the next."""
    return host.build_cached(host_sources(program, sequence=sequence), ["cc"],
                             _cflags(program, flags, host.default_flags()))


def run_host(program: Program, inputs: np.ndarray, flags: list[str] | None = None,
             sequence: bool = False) -> np.ndarray:
    return run_executable(program, build_host(program, flags, sequence), inputs)


def run_executable(program: Program, exe: Path, inputs):
    """Outputs of the program's harness executable (build_host) for a batch of inputs (see pack_inputs)."""
    return unpack_outputs(program, host.run_batch(exe, pack_inputs(program, inputs), (_record(program),), np.uint8))


def pack_inputs(program: Program, inputs) -> np.ndarray:
    """The harness's input file as [N, bytes]: each sample's inputs one after another. `inputs`: an array
    [N, *shape] for a model with one input, else one per input in the model's order."""
    batches = [inputs] if isinstance(inputs, np.ndarray) else list(inputs)
    if len(batches) != len(program.inputs):
        raise TinygenError(f"{len(batches)} input arrays for a model with {len(program.inputs)} inputs",
                           "give one array per input, in the model's order")
    rows = [np.ascontiguousarray(b.astype(NUMPY_DTYPES[p.tensor.dtype], copy=False)).reshape(len(b), -1)
            for b, p in zip(batches, program.inputs)]
    return np.concatenate([r.view(np.uint8) for r in rows], axis=1)


def _record(program: Program) -> int:
    return sum(p.tensor.nbytes for p in program.outputs)


def unpack_outputs(program: Program, raw: np.ndarray):
    """The harness's outputs [N, bytes] as an array [N, *shape] per output (the array alone for one output)."""
    raw = raw.reshape(len(raw), -1)
    outputs, start = [], 0
    for p in program.outputs:
        part = np.ascontiguousarray(raw[:, start:start + p.tensor.nbytes])
        outputs.append(part.view(NUMPY_DTYPES[p.tensor.dtype]).reshape((len(raw),) + tuple(p.tensor.shape)))
        start += p.tensor.nbytes
    return outputs[0] if len(outputs) == 1 else outputs


def run_qemu(program: Program, inputs: np.ndarray, target: str, flags: list[str] | None = None,
             sequence: bool = False) -> qemu.Run:
    t = qemu.target(target)
    elf = qemu.build(host_sources(program, sequence=sequence), t, _cflags(program, flags))
    run = qemu.run(elf, t, pack_inputs(program, inputs), (_record(program),), np.uint8)
    return dataclasses.replace(run, outputs=unpack_outputs(program, run.outputs))


def compare(outputs: np.ndarray, expected: np.ndarray) -> Comparison:
    a = outputs.reshape(len(outputs), -1)
    b = expected.reshape(len(expected), -1)
    mismatched = int(np.count_nonzero(a.view(np.uint8) != b.view(np.uint8))) if a.dtype == b.dtype else a.nbytes
    if not a.size:
        return Comparison(len(outputs), mismatched, 0.0, outputs, expected)
    with np.errstate(invalid="ignore"):  # inf - inf, NaN: only elements whose bits differ count
        gap = np.abs(a.astype(np.float64) - b.astype(np.float64))
    same = (a == b) | (np.isnan(a) & np.isnan(b)) if a.dtype.kind == "f" else a == b
    diff = float(np.max(np.where(same, 0.0, np.nan_to_num(gap, nan=np.inf))))
    return Comparison(len(outputs), mismatched, diff, outputs, expected)


def compare_all(program: Program, outputs: list[np.ndarray], expected: list[np.ndarray]) -> Comparison:
    """compare() over every output of a model with several: the totals, and each output's mismatches."""
    keys = [p.key for p in program.outputs]
    expected = [e.reshape(o.shape) for o, e in zip(outputs, expected)]
    parts = [compare(o, e) for o, e in zip(outputs, expected)]
    return Comparison(len(outputs[0]), sum(c.mismatched_bytes for c in parts), max(c.max_abs_diff for c in parts),
                      dict(zip(keys, outputs)), dict(zip(keys, expected)),
                      per_output={k: c.mismatched_bytes for k, c in zip(keys, parts)})


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
        inputs = random_input_set(program, count, seed)
    elif isinstance(inputs, (str, Path)):
        inputs = load_input_set(Path(inputs), program)
    elif isinstance(inputs, dict):
        inputs = [np.asarray(inputs[p.key] if p.key in inputs else inputs[p.name]) for p in program.inputs]
    if target == "host":
        run = qemu.Run(run_host(program, inputs, flags, sequence), None)
    else:
        run = run_qemu(program, inputs, target, flags, sequence)
    expected = oracle.reference_outputs(Path(model).read_bytes(), inputs, sequence)
    if len(program.outputs) == 1:
        expected = expected[0] if isinstance(expected, list) else expected
        result = compare(run.outputs, expected.reshape(run.outputs.shape))
    else:
        result = compare_all(program, run.outputs, expected)
    result.target, result.instructions, result.note, result.isa = target, run.instructions, run.note, run.isa
    result.backend = backend
    return result
