"""Emission: a Program becomes C through the Jinja2 templates. Knows no operator: each layer names its template.

Here, and only here, constants get their C names and placements become C expressions. The kernel sources
copied are those the model calls, with the headers they include (found by reading their #include lines).
"""
from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
import numpy as np

from . import __version__
from .compiler import Program
from .ir import CTYPES
from .errors import TinygenError
from .lowered.memory import Arena, External, Flash, State
from .ops import OPS_DIR, REGISTRY
from .ops.common import Const, Layer

CORE_DIR = Path(str(resources.files("tinygen") / "kernels"))  # the shared core of the portable kernels
_INCLUDE = re.compile(r'^#include "([^"]+)"', re.MULTILINE)
FUNCTION = "TG_LAYER_FUNCTION"  # stands for a layer definition's C name until identical ones are merged
# A kernel definition: `void tg_...(` at the start of a line, or one instantiation per line of a defining macro,
# `TG_DEFINE_<what>(tg_..., ...)` (tg_cast.c's conversions, the broadcast binary kernels of TG_DEFINE_BINARY_WALK).
_DEFINITION = re.compile(r"^(?:void\s+|TG_DEFINE_\w+\()(tg_\w+)\s*[(,]", re.MULTILINE)
# A kernel the core headers define inline (inlined with each call's constants, kernels/tg_gemm.h).
_INLINE_DEFINITION = re.compile(r"^TG_\w*INLINE void\s+(tg_\w+)\s*\(", re.MULTILINE)


def environment() -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([str(resources.files("tinygen.templates")), str(OPS_DIR)])
    env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             trim_blocks=True, lstrip_blocks=True)
    env.filters.update(c_array=c_array_body, c_float=c_float, c_dims=c_dims, c_activation=c_activation,
                       c_comment=c_comment)
    return env


MATH_MACROS = ("INFINITY", "NAN")  # what c_float writes for non-finite values: model.c then includes <math.h>
DEFAULT_NAN = 0x7FC00000  # the quiet NaN C's NAN is (sign aside)


def c_float(x: float) -> str:
    """A float32 literal that round-trips exactly, bits included (a NaN: C's NAN or -NAN, the only ones C writes)."""
    v = np.float32(x)
    if np.isnan(v):
        bits = int(np.array(v).view(np.uint32))
        if bits & 0x7FFFFFFF != DEFAULT_NAN:
            raise TinygenError(f"a float constant of the model is a NaN with payload {bits:#010x}; C writes only "
                               f"the default NaN ({DEFAULT_NAN:#010x})", "replace the NaN in the model")
        return "-NAN" if bits >> 31 else "NAN"
    if np.isinf(v):
        return "-INFINITY" if v < 0 else "INFINITY"
    return f"{float(v)!r}f"


def c_dims(dims) -> str:
    """A tg_dims initializer from (n, h, w, c)."""
    n, h, w, c = (int(d) for d in dims)
    return f"{{.n = {n}, .h = {h}, .w = {w}, .c = {c}}}"


def c_comment(text: str, limit: int = 100) -> str:
    """Text from the model (a tensor's name) made safe inside a C comment, at most `limit` characters."""
    text = "".join(c if c.isascii() and c.isprintable() else "?" for c in text).replace("*/", "*?")
    return text if len(text) <= limit else text[:limit - 3] + "..."


def c_activation(act) -> str:
    value = c_float if isinstance(act.min, float) else str  # a float kernel's clamp (FloatActivation)
    return f"{{.min = {value(act.min)}, .max = {value(act.max)}}}"


def c_array_body(values: np.ndarray, per_line: int = 16) -> str:
    flat = np.asarray(values).reshape(-1)
    if flat.dtype.kind == "f":
        items = [c_float(v) for v in flat]
    elif flat.dtype == np.int32 or flat.dtype == np.int64:
        # INT32_MIN has no literal form in C: write it as an expression.
        items = [str(int(v)) if v != -2**31 else "(-2147483647 - 1)" for v in flat]
    else:
        items = [str(int(v)) for v in flat]
    lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
    return ",\n    ".join(lines)


def const_name(program: Program, layer: Layer | None, c: Const) -> str:
    return f"{program.name}_op{layer.op.index}_{c.role}" if layer is not None else f"{program.name}_{c.role}"


def pointer(program: Program, t: int) -> str:
    place = program.placements[t]
    if isinstance(place, External):
        return place.name
    if isinstance(place, Flash):
        return const_name(program, None, place.const)
    assert isinstance(place, (Arena, State))
    region = "arena" if isinstance(place, Arena) else "state"
    ctype = CTYPES[program.graph.tensors[t].dtype]
    return (f"({region} + {place.offset})" if ctype == "int8_t"
            else f"(({ctype} *)(void *)({region} + {place.offset}))")


def _context(program: Program, index: int) -> str:
    """The tg_context a kernel gets: its scratch in the arena, or none."""
    scratch = program.scratch.get(index)
    if scratch:
        return f"const tg_context ctx = {{.buf = arena + {scratch[0]}, .size = {scratch[1]}}};"
    return "const tg_context ctx = {.buf = NULL, .size = 0};"


def _layer_context(program: Program, index: int) -> dict:
    layer = program.layers[index]
    return dict(
        layer=layer, p=layer.params, c={c.role: const_name(program, layer, c) for c in layer.consts},
        input=lambda i: pointer(program, layer.inputs[i]), output=lambda i: pointer(program, layer.outputs[i]),
        context=_context(program, index), scratch=program.scratch.get(index), failure=f"-{layer.op.index + 1}",
        checked=program.backend.reports_status(layer.kernel),
    )


def _portable(layer: Layer) -> bool:
    return not layer.alias and layer.kernel.startswith("tg_")


def model_headers(program: Program) -> list[str]:
    """The kernel headers the generated model includes: the shared core, then one per operator it calls."""
    files, defined = kernel_files()
    headers = {REGISTRY[layer.op.kind].header for layer in program.layers if _portable(layer)}
    for layer in filter(_portable, program.layers):  # a kernel of another operator's folder: its own header
        source = defined.get(layer.kernel, "")
        header = source[:-2] + ".h" if source.endswith(".c") else source
        if header in files:
            headers.add(header)
    return ["tg_common.h"] + sorted(h for h in headers if h)


def invoke_parameters(program: Program) -> str:
    """invoke's parameter list: the inputs (const), then the outputs, in the model's order."""
    return ", ".join([f"const {CTYPES[p.tensor.dtype]} *{p.name}" for p in program.inputs] +
                     [f"{CTYPES[p.tensor.dtype]} *{p.name}" for p in program.outputs])


def output_copies(program: Program) -> list[tuple[str, str, int]]:
    """(output, source, bytes) for every output no layer writes into its buffer: a model input passed through,
    a constant, or a tensor another output's buffer holds."""
    return [(p.name, pointer(program, p.tensor.index), p.tensor.nbytes) for p in program.outputs
            if program.placements[p.tensor.index] != External(p.name)]


def render_model(program: Program, layer_marks: bool = False) -> dict[str, str]:
    """{file name: text} for <name>.h and <name>.c. `layer_marks`: call the harness's instruction-count markers
    after every layer (bench/layers.py counts each layer on its own); off in every product."""
    env = environment()
    calls = []
    functions: dict[str, str] = {}  # a layer definition's text (named FUNCTION) → its C name
    for i, layer in enumerate(program.layers):
        context = _layer_context(program, i)
        if layer.definition and not layer.alias:
            text = env.get_template(layer.definition).render(**context, function=FUNCTION)
            context["function"] = functions.setdefault(text, f"{program.name}_layer{layer.op.index}")
        body = "" if layer.alias else env.get_template(layer.template).render(**context)
        calls.append(dict(layer=layer, body=body))
    definitions = [text.replace(FUNCTION, name) for text, name in functions.items()]
    consts = [(const_name(program, layer, c), c) for layer, c in program.owned_consts()]
    math_macros = any(np.asarray(c.values).dtype.kind == "f" and not np.all(np.isfinite(c.values))
                      for _, c in consts) or any(macro in call["body"] for call in calls for macro in MATH_MACROS)
    x, y = program.input, program.output
    common = dict(
        name=program.name, NAME=program.name.upper(), version=__version__, program=program,
        backend=program.backend, input=x, output=y, in_ctype=CTYPES[x.dtype], out_ctype=CTYPES[y.dtype],
        calls=calls, consts=consts, headers=model_headers(program), layer_marks=layer_marks, definitions=definitions,
        parameters=invoke_parameters(program), copies=output_copies(program), ctypes=CTYPES, math_macros=math_macros,
    )
    return {
        f"{program.name}.h": env.get_template("model.h.j2").render(**common),
        f"{program.name}.c": env.get_template("model.c.j2").render(**common),
    }


@lru_cache(maxsize=1)
def kernel_files() -> tuple[dict[str, Path], dict[str, str]]:
    """Every portable kernel file by name, and the file defining each kernel function."""
    files = {p.name: p for p in sorted(CORE_DIR.glob("*.h"))}
    for p in sorted(OPS_DIR.glob("*/tg_*.[ch]")):
        if p.name in files:
            raise RuntimeError(f"two kernel files are named {p.name}")
        files[p.name] = p
    defined = {fn: name for name, p in files.items() if p.suffix == ".c" for fn in _DEFINITION.findall(p.read_text())}
    defined.update({fn: name for name, p in files.items() if p.suffix == ".h"
                    for fn in _INLINE_DEFINITION.findall(p.read_text())})
    return files, defined


def kernel_sources(program: Program) -> dict[str, str]:
    """tinygen's kernel files the model needs: {file name: text}: the sources defining the kernels it calls and
    every header they (and the model) include."""
    files, defined = kernel_files()
    missing = sorted({layer.kernel for layer in program.layers if _portable(layer)} - set(defined))
    if missing:
        raise RuntimeError(f"no kernel source defines {missing} (a definition starts a line with `void tg_...(`)")
    wanted = [defined[layer.kernel] for layer in program.layers if _portable(layer)] + model_headers(program)
    out: dict[str, str] = {}
    while wanted:
        name = wanted.pop()
        if name in out or name not in files:
            continue  # a system or CMSIS-NN header
        out[name] = files[name].read_text()
        wanted += _INCLUDE.findall(out[name])
    return dict(sorted(out.items()))


def program_sources(program: Program, layer_marks: bool = False) -> dict[str, str]:
    """The model and its kernels as {file: text}: tinygen's kernels, plus the backend's sources (compiled with
    its cflags)."""
    return {**kernel_sources(program), **render_model(program, layer_marks), **program.backend.sources()}
