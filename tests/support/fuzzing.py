"""Mutation fuzzing of the compiler, shared by tests/compiler/test_fuzz.py (CI) and bench/fuzz.py (long runs).

Seeds are valid int8 models: small ones written through the schema object API (no TensorFlow; see
schema_model.py) and the MLPerf Tiny models when present. Mutants come from bit flips, truncation, byte edits
and field edits made through the object API and packed again. Every mutant must end in a compiled program or a
TinygenError within a time budget; for a sample of accepted mutants the generated C also runs under
AddressSanitizer and UBSan.
"""
from __future__ import annotations

import copy
import hashlib
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
from ai_edge_litert import schema_py_generated as schema

from tinygen import codegen
from tinygen.compiler import Program, compile_model
from tinygen.errors import TinygenError

from .schema_model import SCHEMA_SEEDS, pack

SANITIZE = ["-O1", "-g", "-fno-omit-frame-pointer", "-fsanitize=address,undefined", "-fno-sanitize-recover=all"]


# ---------------------------------------------------------------- seeds and mutators

@dataclass
class Seed:
    name: str
    raw: bytes
    model: schema.ModelT = field(repr=False)
    structure: np.ndarray = field(repr=False)  # byte positions outside constant data: where mutations matter

    @classmethod
    def from_bytes(cls, name: str, raw: bytes) -> "Seed":
        model = schema.ModelT.InitFromPackedBuf(raw, 0)
        mask = np.ones(len(raw), bool)
        root = schema.Model.GetRootAs(raw, 0)
        for i in range(root.BuffersLength()):
            tab = root.Buffers(i)._tab
            o = tab.Offset(4)
            if o:
                start = tab.Vector(o)
                mask[start:start + tab.VectorLen(o)] = False
        return cls(name, raw, model, np.flatnonzero(mask))


def load_seeds(mlperf_dir: Path | None = None, schema_seeds: bool = True) -> list[Seed]:
    seeds = [Seed.from_bytes(name, make()) for name, make in SCHEMA_SEEDS.items()] if schema_seeds else []
    if mlperf_dir is not None and Path(mlperf_dir).is_dir():
        seeds += [Seed.from_bytes(p.stem, p.read_bytes()) for p in sorted(Path(mlperf_dir).glob("*.tflite"))]
    return seeds


INT32S = [0, 1, -1, 2, 3, 7, 8, 255, 256, 1 << 16, (1 << 24) + 1, (1 << 31) - 1, -(1 << 31)]
FLOATS = [0.0, -0.0, -1.0, float("nan"), float("inf"), float("-inf"), 1e-45, 1e-30, 1e30, 3.4e38]


def _position(rng, seed: Seed) -> int:
    if rng.random() < 0.9 and len(seed.structure):
        return int(seed.structure[rng.integers(len(seed.structure))])
    return int(rng.integers(len(seed.raw)))


def flip_bits(rng, seed: Seed) -> bytes:
    data = bytearray(seed.raw)
    for _ in range(int(rng.integers(1, 5))):
        data[_position(rng, seed)] ^= 1 << int(rng.integers(8))
    return bytes(data)


def truncate(rng, seed: Seed) -> bytes:
    end = _position(rng, seed) if rng.random() < 0.7 else int(rng.integers(len(seed.raw)))
    return seed.raw[:end]


def edit_bytes(rng, seed: Seed) -> bytes:
    data = bytearray(seed.raw)
    for _ in range(int(rng.integers(1, 3))):
        pos = _position(rng, seed) & ~3 if rng.random() < 0.7 else _position(rng, seed)
        width = [1, 2, 4][int(rng.integers(3))]
        value = int(rng.choice(INT32S)) if rng.random() < 0.6 else int(rng.integers(0, 1 << 32))
        chunk = (value & 0xFFFFFFFF).to_bytes(4, "little")[:width]
        data[pos:pos + width] = chunk[:max(0, len(data) - pos)]
    return bytes(data[:len(seed.raw)])


def _pick(rng, items):
    return items[int(rng.integers(len(items)))] if items else None


def _int_like(rng, old: int) -> int:
    choices = INT32S + [old + 1, old - 1, old * 2, -old]
    return int(np.clip(_pick(rng, choices), -(1 << 31), (1 << 31) - 1))


def _edit_tensor(rng, model, t) -> str:
    what = int(rng.integers(9))
    if what == 0 and t.shape is not None and len(t.shape):
        shape = [int(d) for d in t.shape]
        j = int(rng.integers(len(shape)))
        shape[j] = _int_like(rng, shape[j])
        t.shape = shape
        return "tensor.shape"
    if what == 1:
        shape = [int(d) for d in (t.shape if t.shape is not None else [])]
        t.shape = shape[1:] if shape and rng.random() < 0.5 else [1] + shape
        return "tensor.rank"
    if what == 2:
        t.type = int(rng.integers(-2, 20))
        return "tensor.type"
    if what == 3:
        t.buffer = int(rng.choice([0, len(model.buffers) - 1, len(model.buffers), int(rng.integers(len(model.buffers))),
                                   (1 << 32) - 1]))
        return "tensor.buffer"
    if what == 4:
        t.shapeSignature = [-1 if rng.random() < 0.7 else int(d) for d in (t.shape if t.shape is not None else [1])]
        return "tensor.shape_signature"
    if what == 5:
        t.isVariable = True
        return "tensor.is_variable"
    q = t.quantization
    if q is None or q.scale is None or not len(q.scale):
        t.quantization = None
        return "tensor.quantization_removed"
    if what == 6:
        scale = [float(s) for s in q.scale]
        j = int(rng.integers(len(scale)))
        scale[j] = float(_pick(rng, FLOATS + [scale[j] * 2, scale[j] / 2, scale[j] * 1e6]))
        if rng.random() < 0.2:
            scale = scale[:-1] if len(scale) > 1 else scale * 2
        q.scale = scale
        return "quant.scale"
    if what == 7:
        zp = [int(z) for z in (q.zeroPoint if q.zeroPoint is not None else [0] * len(q.scale))]
        j = int(rng.integers(len(zp))) if zp else 0
        value = int(_pick(rng, [-129, 128, 255, -(1 << 31), 1 << 40, (zp[j] if zp else 0) + 1, 127, -128]))
        q.zeroPoint = (zp[:j] + [value] + zp[j + 1:]) if zp else [value]
        return "quant.zero_point"
    q.quantizedDimension = int(rng.choice([-1, 0, 1, 2, 3, 4, 100]))
    return "quant.axis"


def _edit_operator(rng, model, sg, op) -> str:
    n = len(sg.tensors)
    what = int(rng.integers(6))
    if what == 0:
        op.opcodeIndex = int(rng.choice([0, len(model.operatorCodes) - 1, len(model.operatorCodes), 1 << 20]))
        return "op.opcode_index"
    if what in (1, 2):
        key = "inputs" if what == 1 else "outputs"
        values = [int(v) for v in (getattr(op, key) if getattr(op, key) is not None else [])]
        r = rng.random()
        if r < 0.6 and values:
            values[int(rng.integers(len(values)))] = int(rng.integers(-2, n + 2))
        elif r < 0.8 and values:
            values.pop(int(rng.integers(len(values))))
        else:
            values.append(int(rng.integers(-1, n)))
        setattr(op, key, values)
        return f"op.{key}"
    if what == 3 and op.builtinOptions is not None:
        fields = [k for k, v in vars(op.builtinOptions).items() if isinstance(v, (int, float, bool))]
        key = _pick(rng, fields)
        if key is None:
            return "op.options_none"
        old = getattr(op.builtinOptions, key)
        if isinstance(old, float):
            setattr(op.builtinOptions, key, float(_pick(rng, FLOATS + [old * 2, -old])))
        elif isinstance(old, bool):
            setattr(op.builtinOptions, key, not old)
        else:
            value = _int_like(rng, int(old))
            # Enum fields are single bytes in the schema: keep the value packable.
            setattr(op.builtinOptions, key, value if abs(value) < 1 << 7 or rng.random() < 0.5 else value & 0x7F)
        return f"op.options.{key}"
    if what == 4:
        op.builtinOptionsType = int(rng.integers(0, 130))
        return "op.options_type"
    opcode = model.operatorCodes[op.opcodeIndex] if op.opcodeIndex < len(model.operatorCodes) else None
    if opcode is not None:
        opcode.builtinCode = int(rng.integers(0, 210))
        opcode.deprecatedBuiltinCode = min(opcode.builtinCode, 127)
    return "opcode.builtin_code"


def _edit_graph(rng, model, sg) -> str:
    what = int(rng.integers(7))
    n = len(sg.tensors)
    if what == 0:
        key = "inputs" if rng.random() < 0.5 else "outputs"
        values = [int(v) for v in getattr(sg, key)]
        if values and rng.random() < 0.7:
            values[0] = int(rng.integers(-1, n + 1))
        else:
            values.append(int(rng.integers(0, n)))
        setattr(sg, key, values)
        return f"subgraph.{key}"
    if what == 1 and len(sg.operators) > 1:
        i, j = rng.choice(len(sg.operators), 2, replace=False)
        sg.operators[i], sg.operators[j] = sg.operators[j], sg.operators[i]
        return "subgraph.swap_ops"
    if what == 2 and sg.operators:
        sg.operators.pop(int(rng.integers(len(sg.operators))))
        return "subgraph.drop_op"
    if what == 3:
        model.subgraphs.append(copy.deepcopy(sg))
        return "model.extra_subgraph"
    if what == 4:
        model.version = int(rng.choice([0, 1, 2, 4, 255]))
        return "model.version"
    buffers = [b for b in model.buffers if b.data is not None and len(b.data)]
    b = _pick(rng, buffers)
    if b is None:
        return "buffer.none"
    data = np.asarray(b.data, np.uint8)
    r = rng.random()
    if r < 0.4:
        b.data = data[:max(0, len(data) - int(rng.integers(1, 5)))]
    elif r < 0.6:
        b.data = np.concatenate([data, np.zeros(int(rng.integers(1, 5)), np.uint8)])
    else:
        b.data = rng.integers(0, 256, size=len(data)).astype(np.uint8)
    return "buffer.data"


def edit_fields(rng, seed: Seed) -> tuple[bytes, str]:
    """1-2 edits of the model's fields through the schema object API, then packed again."""
    model = copy.deepcopy(seed.model)
    sg = model.subgraphs[0]
    names = []
    for _ in range(int(rng.integers(1, 3))):
        r = rng.random()
        if r < 0.45 and sg.tensors:
            names.append(_edit_tensor(rng, model, _pick(rng, sg.tensors)))
        elif r < 0.85 and sg.operators:
            names.append(_edit_operator(rng, model, sg, _pick(rng, sg.operators)))
        else:
            names.append(_edit_graph(rng, model, sg))
    return pack(model), "+".join(names)


MUTATORS = {"flip_bits": flip_bits, "truncate": truncate, "edit_bytes": edit_bytes, "edit_fields": edit_fields}
WEIGHTS = {"flip_bits": 0.25, "truncate": 0.1, "edit_bytes": 0.2, "edit_fields": 0.45}


def mutate(rng, seed: Seed) -> tuple[str, bytes | None]:
    """(description, mutant bytes); None when the object API cannot pack the edit (not a compiler case)."""
    names = list(WEIGHTS)
    kind = names[int(rng.choice(len(names), p=[WEIGHTS[n] for n in names]))]
    try:
        result = MUTATORS[kind](rng, seed)
    except (struct.error, ValueError, OverflowError, TypeError, IndexError):
        return kind, None
    if isinstance(result, tuple):
        return f"{kind}:{result[1]}", result[0]
    return kind, result


# ---------------------------------------------------------------- the harness

class Hang(BaseException):
    """Raised by the time budget; a BaseException so that no `except Exception` in the compiler swallows it."""


@contextmanager
def time_limit(seconds: float):
    if threading.current_thread() is not threading.main_thread():
        yield  # signals only reach the main thread; the caller still measures the time
        return

    def expire(signum, frame):
        raise Hang(f"over {seconds} s")

    old = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass
class Case:
    seed: str
    mutation: str
    outcome: str  # "accepted", "refused", "crash", "hang", "sanitizer", "mismatch"
    seconds: float
    detail: str = ""
    mutant: bytes = field(default=b"", repr=False)
    program: Program | None = field(default=None, repr=False)
    digest: str = ""  # of the generated C, for accepted mutants
    tflm: str = ""  # with the oracle: "equal", "differs", or why TFLM gave no outputs


_WORKDIR: list[Path] = []


def compile_bytes(raw: bytes) -> tuple[Program, str]:
    """Everything `tinygen` does to a model file short of writing a project: read, verify, lower, plan, render."""
    if not _WORKDIR:
        _WORKDIR.append(Path(tempfile.mkdtemp(prefix="tinygen-fuzz-")))
    path = _WORKDIR[0] / "mutant.tflite"
    path.write_bytes(raw)
    program = compile_model(path, name="fuzz")
    files = codegen.render_model(program)
    return program, hashlib.sha256("".join(files[k] for k in sorted(files)).encode()).hexdigest()[:16]


def run_case(seed: str, mutation: str, raw: bytes, budget: float) -> Case:
    start = time.perf_counter()
    try:
        with time_limit(budget):
            program, digest = compile_bytes(raw)
    except TinygenError as e:
        return Case(seed, mutation, "refused", time.perf_counter() - start, str(e))
    except Hang as e:
        return Case(seed, mutation, "hang", time.perf_counter() - start, str(e), raw)
    except Exception:  # noqa: BLE001 — anything else is the bug this harness looks for
        return Case(seed, mutation, "crash", time.perf_counter() - start, traceback.format_exc(limit=-6), raw)
    elapsed = time.perf_counter() - start
    if elapsed > budget:  # outside the main thread the alarm cannot interrupt: judge afterwards
        return Case(seed, mutation, "hang", elapsed, f"took {elapsed:.1f} s", raw)
    return Case(seed, mutation, "accepted", elapsed, "", raw, program, digest)


_ORACLE_SCRIPT = """
import sys, numpy as np
from tinygen.oracle import reference_outputs
np.save(sys.argv[3], reference_outputs(open(sys.argv[1], "rb").read(), np.load(sys.argv[2])))
"""


def isolated_reference(mutant: bytes, inputs: np.ndarray, timeout: float = 120.0) -> tuple[np.ndarray | None, str]:
    """TFLM's outputs for a mutant, computed in a child process (TFLM may abort or crash on a corrupted model):
    (outputs, "") or (None, why TFLM gave none)."""
    with tempfile.TemporaryDirectory() as tmp:
        model, x, y = Path(tmp) / "m.tflite", Path(tmp) / "x.npy", Path(tmp) / "y.npy"
        model.write_bytes(mutant)
        np.save(x, inputs)
        try:
            result = subprocess.run([sys.executable, "-c", _ORACLE_SCRIPT, str(model), str(x), str(y)],
                                    capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None, f"TFLM took over {timeout:.0f} s"
        if result.returncode != 0 or not y.exists():
            lines = result.stderr.strip().splitlines()
            return None, f"TFLM failed (exit {result.returncode}): {lines[-1][:200] if lines else ''}"
        return np.load(y), ""


def sanitize(case: Case, count: int = 3, oracle: bool = False) -> Case:
    """Run an accepted mutant's C under ASan/UBSan on random inputs; a crash or report fails the case. With
    `oracle`, the outputs must also equal TFLM's whenever TFLM runs the mutant ("mismatch" otherwise)."""
    from tinygen.emulation import random_input_set, run_host

    inputs = random_input_set(case.program, count, 0)
    try:
        outputs = run_host(case.program, inputs, flags=SANITIZE)
    except (RuntimeError, TinygenError) as e:
        case.outcome, case.detail = "sanitizer", str(e)[-3000:]
        return case
    if oracle and (len(case.program.inputs) > 1 or len(case.program.outputs) > 1):
        case.tflm = "several inputs or outputs: run under the sanitizers only"
    elif oracle:
        expected, why = isolated_reference(case.mutant, inputs)
        if expected is None:
            case.tflm = why  # tinygen accepts what TFLM refuses: worth a look, not a failure
        elif expected.reshape(-1).tobytes() == outputs.reshape(-1).tobytes():
            case.tflm = "equal"
        else:
            case.outcome, case.tflm = "mismatch", "differs"
            case.detail = f"generated C differs from TFLM: {outputs.reshape(-1)[:16]} vs {expected.reshape(-1)[:16]}"
    return case


@dataclass
class Report:
    cases: list[Case]
    sanitized: list[Case]
    seconds: float
    oracle: bool = False

    @property
    def failures(self) -> list[Case]:
        return [c for c in self.cases + self.sanitized if c.outcome in ("crash", "hang", "sanitizer", "mismatch")]

    def summary(self) -> str:
        counts = Counter(c.outcome for c in self.cases)
        slowest = max((c.seconds for c in self.cases), default=0.0)
        text = (f"fuzz: {len(self.cases)} cases in {self.seconds:.1f} s: {counts['accepted']} compiled, "
                f"{counts['refused']} refused with a TinygenError, {counts['crash']} crashed, {counts['hang']} hung "
                f"(slowest {slowest:.2f} s); {len(self.sanitized)} accepted mutants run under ASan/UBSan, "
                f"{sum(c.outcome == 'sanitizer' for c in self.sanitized)} failed")
        if self.oracle:
            tflm = Counter(c.tflm if c.tflm in ("equal", "differs", "") else "refused" for c in self.sanitized)
            text += (f"; vs TFLM: {tflm['equal']} bit-exact, {tflm['differs']} differ, {tflm['refused']} refused "
                     "by TFLM")
        return text + (" — FAILED" if self.failures else "")

    def by_mutation(self) -> str:
        table = Counter((c.mutation.split(":")[0], c.outcome) for c in self.cases)
        kinds = sorted({k for k, _ in table})
        outcomes = ["accepted", "refused", "crash", "hang"]
        lines = ["| mutation | " + " | ".join(outcomes) + " |", "|---" * (len(outcomes) + 1) + "|"]
        lines += [f"| {k} | " + " | ".join(str(table[k, o]) for o in outcomes) + " |" for k in kinds]
        return "\n".join(lines)


def campaign(seeds: list[Seed], cases: int, rng_seed: int = 0, budget: float = 10.0, sanitize_count: int = 0,
             weights: dict[str, float] | None = None, progress: Callable[[int, Case], None] | None = None,
             oracle: bool = False) -> Report:
    """`cases` mutants spread over the seeds (by `weights[seed.name]`, default equal); then up to
    `sanitize_count` accepted mutants with distinct generated C, field edits first, run under the sanitizers
    (and compared with TFLM when `oracle`)."""
    rng = np.random.default_rng(rng_seed)
    p = np.array([(weights or {}).get(s.name, 1.0) for s in seeds], float)
    p /= p.sum()
    start = time.perf_counter()
    results: list[Case] = []
    originals = {}
    while len(results) < cases:
        seed = seeds[int(rng.choice(len(seeds), p=p))]
        mutation, raw = mutate(rng, seed)
        if raw is None:
            continue
        case = run_case(seed.name, mutation, raw, budget)
        if case.outcome == "accepted" and seed.name not in originals:
            originals[seed.name] = compile_bytes(seed.raw)[1]
        if case.outcome != "accepted" or case.digest == originals.get(seed.name):
            case.program = None  # keep memory flat: only distinct accepted programs are candidates
        results.append(case)
        if progress is not None:
            progress(len(results), case)
    chosen, seen = [], set()
    candidates = sorted((c for c in results if c.program is not None),
                        key=lambda c: (not c.mutation.startswith("edit_fields"), len(c.mutant)))
    for c in candidates:
        if len(chosen) >= sanitize_count:
            break
        if c.digest not in seen:
            seen.add(c.digest)
            chosen.append(sanitize(copy.copy(c), oracle=oracle))
    for c in results:
        c.program = None
    return Report(results, chosen, time.perf_counter() - start, oracle)


def save_failures(report: Report, directory: Path) -> list[Path]:
    """Write each failing mutant (and what happened) for reproduction: `tinygen --debug emulate FILE`."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, c in enumerate(report.failures):
        path = directory / f"{c.outcome}-{i:03d}-{c.seed}.tflite"
        path.write_bytes(c.mutant)
        path.with_suffix(".txt").write_text(f"{c.seed} {c.mutation} {c.outcome}\n{c.detail}\n")
        paths.append(path)
    return paths
