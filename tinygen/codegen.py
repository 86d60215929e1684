"""Render a Program to C through the Jinja2 templates. Knows no operator names: each layer names its template."""
from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2
import numpy as np

from . import __version__, cmsis_nn
from .compiler import Program
from .ir import CTYPES

KERNEL_DIR = Path(str(resources.files("tinygen") / "kernels"))


def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(resources.files("tinygen.templates"))), undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["c_array"] = c_array_body
    env.filters["c_float"] = c_float
    return env


def c_float(x: float) -> str:
    """A float32 literal that round-trips exactly."""
    return f"{float(np.float32(x))!r}f".replace("inff", "INFINITY")


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


def _layer_context(program: Program, index: int) -> dict:
    layer = program.layers[index]
    consts = {c.name[len(f"{program.name}_op{layer.op.index}_"):]: c.name for c in layer.consts}
    return dict(
        layer=layer, p=layer.params, c=consts,
        input=lambda i: program.pointers[layer.inputs[i]],
        output=lambda i: program.pointers[layer.outputs[i]],
        scratch=program.scratch.get(index),
    )


def render_model(program: Program) -> dict[str, str]:
    """{file name: text} for <name>.h and <name>.c."""
    env = environment()
    op_templates = {layer.template: env.get_template(f"ops/{layer.template}.c.j2")
                    for layer in program.layers if not layer.alias}
    calls = []
    for i, layer in enumerate(program.layers):
        body = "" if layer.alias else op_templates[layer.template].render(**_layer_context(program, i))
        calls.append(dict(layer=layer, body=body, scratch=program.scratch.get(i)))
    x, y = program.input, program.output
    common = dict(
        name=program.name, NAME=program.name.upper(), version=__version__, program=program,
        input=x, output=y, in_ctype=CTYPES[x.dtype], out_ctype=CTYPES[y.dtype], calls=calls,
        ctypes=CTYPES,
    )
    return {
        f"{program.name}.h": env.get_template("model.h.j2").render(**common),
        f"{program.name}.c": env.get_template("model.c.j2").render(**common),
    }


def kernel_sources() -> dict[str, str]:
    """tinygen's portable kernel library: {file name: text}."""
    return {p.name: p.read_text() for p in sorted(KERNEL_DIR.iterdir()) if p.suffix in (".c", ".h")}


def program_sources(program: Program) -> dict[str, str]:
    """The model and its kernels as {file: text}: tinygen's kernels, plus CMSIS-NN's sources on its backend
    (compiled with cmsis_nn.CFLAGS)."""
    files = {**kernel_sources(), **render_model(program)}
    if program.backend == "cmsis-nn":
        files.update(cmsis_nn.sources())
    return files
