"""`tinygen report`: where every byte goes — per-layer table, totals, fit against a board, memory timeline.

The JSON form is documented in docs/report.md; its keys are stable (new keys may be added, none renamed or
removed without a new "version").
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from .compiler import Program
from .errors import TinygenError
from .lowered.memory import Arena, External, State
from .measure import Footprint
from .sparsity import analyse

REPORT_VERSION = 2


def _shape(program: Program, t: int) -> list[int]:
    return [int(d) for d in program.graph.tensors[t].shape]


def _placement(program: Program, t: int) -> int | str:
    """Arena offset of tensor t, or where it lives instead ('input', 'output', 'flash', 'state+<offset>')."""
    place = program.placements.get(t)
    if isinstance(place, External):
        return place.name
    if isinstance(place, State):
        return f"state+{place.offset}"
    return place.offset if isinstance(place, Arena) else "flash"


def _tensors(program: Program, ts: list[int]) -> list[dict]:
    return [{"tensor": t, "shape": _shape(program, t), "bytes": program.graph.tensors[t].nbytes,
             "offset": _placement(program, t)} for t in ts]


# kernels/tg_gemm.h: nonzero weights only (the pair kernels: tg_sparse_gemm_s8's paired entries, `grouped`)
SPARSE_KERNELS = ("tg_sparse_gemm_s8", "tg_conv_sparse_gemm_s8", "tg_pair_gemm_s8", "tg_conv_pair_gemm_s8")


def _sparsity(program: Program, layer) -> dict | None:
    """The zeros of a CONV_2D's or FULLY_CONNECTED's int8 weight matrix and what the chosen kernel makes of them
    (None for other layers): stored bytes are the weight stream the kernel reads (a sparse kernel's entries and
    per-channel counts), executed MACs those its loops run (a sparse kernel's fillers included)."""
    if layer.alias or layer.op.kind not in ("CONV_2D", "FULLY_CONNECTED") or len(layer.op.inputs) < 2:
        return None
    w = program.graph.tensors[layer.op.inputs[1]].data
    if w is None or w.dtype != np.int8:
        return None
    found = analyse(w.reshape(w.shape[0], -1), w.shape[-1] if layer.op.kind == "CONV_2D" else None)
    pixels = program.graph.tensors[layer.op.outputs[0]].size // found.out_c
    sparse = layer.kernel in SPARSE_KERNELS
    stored = (sum(c.values.nbytes for c in layer.consts if c.role in ("weights", "pairs")) if sparse else
              layer.const("weights").values.nbytes if layer.has_const("weights") else found.weights)
    return {
        "zero_fraction": round(found.fraction, 6),
        "pattern": found.pattern,
        "zero_output_channels": len(found.zero_channels),
        "zero_input_channels": len(found.zero_inputs),
        "n_of_m": list(found.n_of_m) if found.n_of_m else None,
        "dense_weight_bytes": found.weights,
        "stored_weight_bytes": int(stored),
        "macs_dense": pixels * found.weights,
        "macs_executed": pixels * (layer.params.nonzeros if sparse else found.weights),
    }


def _filter(program: Program, layer) -> dict | None:
    """The layer's filter as stored in flash: its element type in the model and the bytes the generated C keeps
    (int4: two weights per byte, as packed in the model)."""
    if not layer.has_const("weights") or len(layer.op.inputs) < 2 or layer.op.inputs[1] < 0:
        return None
    w = program.graph.tensors[layer.op.inputs[1]]
    return {"dtype": w.dtype, "count": w.size, "stored_bytes": layer.const("weights").nbytes}


def memory_report(program: Program, footprint: Footprint | None = None, board=None) -> dict:
    """The report as plain data. footprint: measure.footprint(program, board) (flash, stack); board: fit."""
    layers = []
    for i, layer in enumerate(program.layers):
        scratch = program.scratch.get(i)
        ip = layer.applied_inplace
        layers.append({
            "index": i,
            "op": "+".join([layer.op.kind] + [op.kind for op in layer.fused]),
            "operators": [layer.op.index] + [op.index for op in layer.fused],
            "summary": layer.summary,
            "kernel": None if layer.alias else layer.kernel,
            "inputs": _tensors(program, layer.inputs),
            "outputs": _tensors(program, layer.outputs),
            "macs": layer.macs,
            "weight_bytes": sum(c.values.nbytes for c in layer.consts),
            "filter": _filter(program, layer),
            "activation_bytes": sum(program.graph.tensors[t].nbytes for t in layer.inputs + layer.outputs),
            "scratch_bytes": scratch[1] if scratch else 0,
            "scratch_offset": scratch[0] if scratch else None,
            "alias": layer.alias,
            "in_place_of": layer.inputs[ip.input] if ip else None,
            "sparsity": _sparsity(program, layer),
        })
    # every input's and output's bytes (a model with several): the caller's buffers, outside the arena
    in_bytes = sum(p.tensor.nbytes for p in program.inputs) if program.inputs else program.input.nbytes
    out_bytes = sum(p.tensor.nbytes for p in program.outputs) if program.outputs else program.output.nbytes
    totals = {
        "macs": sum(layer.macs for layer in program.layers),
        "weight_bytes": sum(c.values.nbytes for c in program.consts),
        "arena_bytes": program.arena_size,
        "state_bytes": program.state_size,
        "arena_lower_bound_bytes": program.lower_bound,
        "whole_tensor_lower_bound_bytes": program.whole_tensor_bound,
        "input_bytes": in_bytes,
        "output_bytes": out_bytes,
        "io_bytes": in_bytes + out_bytes,
    }
    if footprint is not None:
        ram = program.arena_size + program.state_size + footprint.stack_bytes
        totals.update({
            "flash_bytes": footprint.flash_bytes,
            "flash_weight_bytes": footprint.weight_bytes,
            "flash_code_bytes": footprint.code_bytes,
            "flash_measured": footprint.measured,
            "compiler": " ".join(footprint.compiler),
            "stack_bytes": footprint.stack_bytes,
            "stack_path": footprint.stack_path,
            "stack_unmeasured_calls": footprint.unmeasured_calls,
            "ram_bytes": ram,
            "ram_with_io_bytes": ram + in_bytes + out_bytes,
        })
    report = {
        "version": REPORT_VERSION,
        "model": program.graph.name,
        "name": program.name,
        "backend": program.backend.name,
        "core": footprint.core if footprint is not None else program.core,
        "layers": layers,
        "buffers": [{"name": b.name, "bytes": b.size, "offset": b.offset, "first_layer": b.first,
                     "last_layer": b.last, "tensors": b.tensors,
                     "pieces": [{"tensor": p.tensor if p.tensor >= 0 else None, "first_layer": p.first,
                                 "last_layer": p.last, "bytes": p.size} for p in b.pieces]}
                    for b in program.buffers],
        "totals": totals,
        "board": None,
    }
    if board is not None and footprint is not None:
        report["board"] = board_fit(totals, board)
    return report


def board_fit(totals: dict, board) -> dict:
    """Flash and RAM the model needs on the board next to the framework's share (the board file's estimate).
    RAM counts the arena, the state, the stack and the application's input and output buffers; boards whose start-up
    copies flash data into RAM (flash_data_in_ram) hold the model's flash there too."""
    flash = totals["flash_bytes"] + board.framework_flash_bytes
    ram = totals["ram_with_io_bytes"] + board.framework_ram_bytes
    if board.flash_data_in_ram:
        ram += totals["flash_bytes"]
    return {
        "id": board.id, "name": board.name, "core": board.core,
        "flash_bytes": board.flash_bytes, "ram_bytes": board.ram_bytes,
        "framework_flash_bytes": board.framework_flash_bytes, "framework_ram_bytes": board.framework_ram_bytes,
        "flash_needed_bytes": flash, "ram_needed_bytes": ram,
        "flash_fits": flash <= board.flash_bytes, "ram_fits": ram <= board.ram_bytes,
        "fits": flash <= board.flash_bytes and ram <= board.ram_bytes,
    }


def _b(n: int) -> str:
    return f"{n:,} B"


def _zeros(sparsity: dict | None) -> str:
    """A layer's zero weights for the table: the percentage, and the structure found beyond it."""
    if sparsity is None:
        return ""
    pattern = sparsity["pattern"]
    return f"{100 * sparsity['zero_fraction']:.0f}%" + ("" if pattern in ("dense", "unstructured") else f" {pattern}")


def format_table(report: dict) -> str:
    rows = [("#", "op", "kernel", "output shape", "MACs", "weights", "of which filter", "zeros", "scratch",
             "in place", "out offset")]
    for layer in report["layers"]:
        out = layer["outputs"][0]
        f = layer.get("filter")
        stored = "" if f is None else f"{f['stored_bytes']:,}" + (" (int4)" if f["dtype"] == "int4" else "")
        rows.append((str(layer["index"]), layer["op"], layer["kernel"] or "-", "x".join(map(str, out["shape"])),
                     f"{layer['macs']:,}", f"{layer['weight_bytes']:,}", stored, _zeros(layer["sparsity"]),
                     f"{layer['scratch_bytes']:,}",
                     "yes" if layer["in_place_of"] is not None else "", "alias" if layer["alias"]
                     else str(out["offset"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.ljust(w) if k in (1, 2, 6) else c.rjust(w) for k, (c, w) in enumerate(zip(r, widths)))
             for r in rows]
    t = report["totals"]
    lines += ["", f"{report['model']} ({report['backend']} kernels): MACs {t['macs']:,}"]
    sparse = [layer["sparsity"] for layer in report["layers"] if layer["kernel"] in SPARSE_KERNELS]
    if sparse:
        lines.append(f"sparse kernels on {len(sparse)} layers: weights stored "
                     f"{_b(sum(s['stored_weight_bytes'] for s in sparse))} of {_b(sum(s['dense_weight_bytes'] for s in sparse))}"
                     f" dense, MACs executed {sum(s['macs_executed'] for s in sparse):,} of "
                     f"{sum(s['macs_dense'] for s in sparse):,}")
    if "flash_bytes" in t:
        how = (f"measured: {t['compiler']} -O2, linked from the invoke function" if t["flash_measured"] else
               f"ESTIMATE: no compiler for {report['core']} here, {t['compiler']} -O2 object sizes")
        lines.append(f"flash {_b(t['flash_bytes'])} = weights {_b(t['flash_weight_bytes'])} + code "
                     f"{_b(t['flash_code_bytes'])}  ({how})")
        state = f" + state {_b(t['state_bytes'])}" if t["state_bytes"] else ""
        lines.append(f"RAM   {_b(t['ram_bytes'])} = arena {_b(t['arena_bytes'])}{state} + stack {_b(t['stack_bytes'])}"
                     f"  (+ the caller's input {_b(t['input_bytes'])} and output {_b(t['output_bytes'])} buffers = "
                     f"{_b(t['ram_with_io_bytes'])})")
        chain = " -> ".join(f"{fn.split(':')[-1]} {n}" for fn, n in t["stack_path"])
        extra = f"; not counted: {', '.join(t['stack_unmeasured_calls'])}" if t["stack_unmeasured_calls"] else ""
        lines.append(f"stack: {chain} (gcc -fstack-usage{extra})")
    else:
        state = f"   state (RAM, kept between invokes) {_b(t['state_bytes'])}" if t["state_bytes"] else ""
        lines.append(f"weights (flash) {_b(t['weight_bytes'])}   arena (RAM) {_b(t['arena_bytes'])}{state}   "
                     f"+ input/output buffers {_b(t['io_bytes'])}")
    lines.append(f"arena lower bound (the most bytes live at one layer): this plan {_b(t['arena_lower_bound_bytes'])},"
                 f" every tensor whole {_b(t['whole_tensor_lower_bound_bytes'])}")
    board = report["board"]
    if board:
        verdict = lambda ok: "fits" if ok else "DOES NOT FIT"  # noqa: E731
        lines.append(f"{board['name']} ({board['id']}): flash {_b(board['flash_needed_bytes'])} of "
                     f"{_b(board['flash_bytes'])} {verdict(board['flash_fits'])}, RAM {_b(board['ram_needed_bytes'])}"
                     f" of {_b(board['ram_bytes'])} {verdict(board['ram_fits'])} (framework estimate included: "
                     f"flash {_b(board['framework_flash_bytes'])}, RAM {_b(board['framework_ram_bytes'])})")
    return "\n".join(lines)


def plot_timeline(report: dict, path: Path) -> None:
    """A picture of the arena: x = layer, y = offset; each tensor a rectangle while it is alive, at its buffer's
    offset (tensors written in place share their buffer's color), scratch hatched."""
    try:
        import matplotlib
    except ImportError as e:  # a dependency (pyproject.toml): missing only from a broken install
        raise TinygenError(f"--plot needs matplotlib ({e})", "pip install matplotlib") from None

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, ax = plt.subplots(figsize=(max(8, 0.35 * len(report["layers"]) + 3), 5))
    colors = plt.get_cmap("tab20").colors
    for k, b in enumerate(report["buffers"]):
        scratch = b["name"].startswith("scratch")
        for p in b["pieces"]:
            ax.add_patch(Rectangle((p["first_layer"] - 0.4, b["offset"]), p["last_layer"] - p["first_layer"] + 0.8,
                                   p["bytes"], facecolor="lightgray" if scratch else colors[k % len(colors)],
                                   edgecolor="black", linewidth=0.5, alpha=0.85, hatch="//" if scratch else None))
        if not scratch:
            ax.text(b["first_layer"] - 0.35, b["offset"] + b["pieces"][0]["bytes"] / 2,
                    ",".join(f"t{t}" for t in b["tensors"][:3]) + ("…" if len(b["tensors"]) > 3 else ""),
                    fontsize=6, va="center")
    n = len(report["layers"])
    t = report["totals"]
    arena = t["arena_bytes"]
    ax.axhline(arena, color="red", linestyle="--", linewidth=1, label=f"arena {arena:,} B")
    ax.axhline(t["whole_tensor_lower_bound_bytes"], color="gray", linestyle=":", linewidth=1,
               label=f"whole-tensor lower bound {t['whole_tensor_lower_bound_bytes']:,} B")
    ax.set_xlim(-1, n)
    ax.set_ylim(0, max(arena, t["whole_tensor_lower_bound_bytes"], 1) * 1.05)
    ax.set_xticks(range(n))
    ax.set_xticklabels([f"{layer['index']}:{layer['op']}" for layer in report["layers"]], rotation=90, fontsize=6)
    ax.set_ylabel("arena offset (bytes)")
    ax.set_title(f"{report['model']}: arena memory timeline ({report['backend']} kernels)")
    ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
