"""`tinygen report`: where every byte goes — per-layer table, totals, fit against a board, memory timeline.

The JSON form is documented in docs/report.md; its keys are stable.
"""
from __future__ import annotations

from pathlib import Path

from .compiler import Program

REPORT_VERSION = 1


def _shape(program: Program, t: int) -> list[int]:
    return [int(d) for d in program.graph.tensors[t].shape]


def _placement(program: Program, t: int) -> int | str:
    """Arena offset of tensor t, or where it lives instead ('input', 'output', 'flash')."""
    ptr = program.pointers.get(t, "")
    if ptr in ("input", "output"):
        return ptr
    for buf in program.buffers:
        if t in buf.tensors:
            return buf.offset
    return "flash"


def memory_report(program: Program) -> dict:
    layers = []
    for i, layer in enumerate(program.layers):
        scratch = program.scratch.get(i)
        layers.append({
            "index": i,
            "op": layer.op.kind,
            "summary": layer.summary,
            "inputs": [{"tensor": t, "shape": _shape(program, t), "bytes": program.graph.tensors[t].nbytes,
                        "offset": _placement(program, t)} for t in layer.inputs],
            "outputs": [{"tensor": t, "shape": _shape(program, t), "bytes": program.graph.tensors[t].nbytes,
                         "offset": _placement(program, t)} for t in layer.outputs],
            "macs": layer.macs,
            "weight_bytes": sum(c.values.nbytes for c in layer.consts),
            "activation_bytes": sum(program.graph.tensors[t].nbytes for t in layer.inputs + layer.outputs),
            "scratch_bytes": scratch[1] if scratch else 0,
            "scratch_offset": scratch[0] if scratch else None,
            "alias": layer.alias,
        })
    io_bytes = program.input.nbytes + program.output.nbytes
    return {
        "version": REPORT_VERSION,
        "model": program.graph.name,
        "name": program.name,
        "layers": layers,
        "buffers": [{"name": b.name, "bytes": b.size, "offset": b.offset, "first_layer": b.first,
                     "last_layer": b.last, "tensors": b.tensors} for b in program.buffers],
        "totals": {
            "macs": sum(layer.macs for layer in program.layers),
            "weight_bytes": sum(c.values.nbytes for c in program.consts),
            "arena_bytes": program.arena_size,
            "arena_lower_bound_bytes": program.lower_bound,
            "io_bytes": io_bytes,
        },
    }


def format_table(report: dict) -> str:
    rows = [("#", "op", "output shape", "MACs", "weights", "activations", "scratch", "out offset")]
    for layer in report["layers"]:
        out = layer["outputs"][0]
        rows.append((str(layer["index"]), layer["op"], "x".join(map(str, out["shape"])), f"{layer['macs']:,}",
                     f"{layer['weight_bytes']:,}", f"{layer['activation_bytes']:,}", f"{layer['scratch_bytes']:,}",
                     "alias" if layer["alias"] else str(out["offset"])))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if k not in (1,) else c.ljust(w) for k, (c, w) in enumerate(zip(r, widths)))
             for r in rows]
    t = report["totals"]
    lines += ["", f"MACs {t['macs']:,}   weights (flash) {t['weight_bytes']:,} B   "
                  f"arena (RAM) {t['arena_bytes']:,} B   op-wise lower bound {t['arena_lower_bound_bytes']:,} B   "
                  f"+ input/output buffers {t['io_bytes']:,} B"]
    return "\n".join(lines)


def plot_timeline(report: dict, path: Path) -> None:
    """A picture of the arena: x = layer, y = offset, one rectangle per buffer while it is alive."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Rectangle

    fig, ax = plt.subplots(figsize=(10, 5))
    colors = plt.get_cmap("tab20").colors
    for k, b in enumerate(report["buffers"]):
        ax.add_patch(Rectangle((b["first_layer"] - 0.4, b["offset"]), b["last_layer"] - b["first_layer"] + 0.8,
                               b["bytes"], facecolor=colors[k % len(colors)], edgecolor="black", linewidth=0.5))
        ax.text(b["first_layer"] - 0.35, b["offset"] + b["bytes"] / 2, b["name"], fontsize=6, va="center")
    n = len(report["layers"])
    arena = report["totals"]["arena_bytes"]
    ax.axhline(arena, color="red", linestyle="--", linewidth=1, label=f"arena {arena:,} B")
    ax.axhline(report["totals"]["arena_lower_bound_bytes"], color="gray", linestyle=":", linewidth=1,
               label=f"lower bound {report['totals']['arena_lower_bound_bytes']:,} B")
    ax.set_xlim(-1, n)
    ax.set_ylim(0, max(arena, 1) * 1.05)
    ax.set_xticks(range(n))
    ax.set_xticklabels([f"{layer['index']}:{layer['op']}" for layer in report["layers"]], rotation=90, fontsize=6)
    ax.set_ylabel("arena offset (bytes)")
    ax.set_title(f"{report['model']}: arena memory timeline")
    ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
