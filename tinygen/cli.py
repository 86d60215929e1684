"""Command line: parses arguments, calls the library, prints results. No compiler logic here."""
from __future__ import annotations

import sys
from pathlib import Path

import click
import numpy as np

from . import __version__
from .errors import TinygenError


class _Group(click.Group):
    """Prints TinygenError as one line (exit 2); --debug shows the traceback."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except TinygenError as e:
            if ctx.meta.get("tinygen.debug"):
                raise
            click.echo(f"error: {e}", err=True)
            sys.exit(2)


@click.group(cls=_Group)
@click.version_option(__version__)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def main(ctx, debug):
    """tinygen: int8 TensorFlow Lite models → standalone C for microcontrollers."""
    ctx.meta["tinygen.debug"] = debug


@main.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--input", "input_path", type=click.Path(path_type=Path), help=".npy batch [N, *input_shape] or one sample.")
@click.option("--output", "output_path", type=click.Path(path_type=Path), help="Write tinygen's outputs here (.npy).")
@click.option("--count", default=10, show_default=True, help="Random inputs when --input is not given.")
@click.option("--seed", default=0, show_default=True, help="Seed for the random inputs.")
def emulate(model, input_path, output_path, count, seed):
    """Run the generated C on the host and compare every output byte with TFLite Micro."""
    from .compiler import compile_model
    from .emulate import emulate as run, load_inputs

    inputs = None
    if input_path is not None:
        inputs = load_inputs(input_path, compile_model(model).input)
    result = run(model, inputs=inputs, count=count, seed=seed)
    if output_path is not None:
        np.save(output_path, result.outputs)
    click.echo(result.summary())
    sys.exit(0 if result.exact else 1)


@main.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (keys documented in docs/report.md).")
@click.option("--plot", type=click.Path(path_type=Path), help="Write the arena timeline as a PNG.")
def report(model, as_json, plot):
    """Per-layer memory and compute report: where every byte goes."""
    import json

    from .compiler import compile_model
    from .report import format_table, memory_report, plot_timeline

    data = memory_report(compile_model(model))
    if plot is not None:
        plot_timeline(data, plot)
    click.echo(json.dumps(data, indent=2) if as_json else format_table(data))


@main.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--board", "-b", required=True, help="Board id or alias (`tinygen boards` lists them).")
@click.option("-o", "--output", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              help="Project directory [default: ./<model>_<board>].")
@click.option("--force", is_flag=True,
              help="Write even when the model seems too big for the board, or the directory holds other files "
                   "(those are kept; any in the way is renamed to <name>.orig).")
@click.option("--backend", type=click.Choice(["cmsis-nn", "portable"]),
              help="Kernel library [default: the board's].")
def build(model, board, out_dir, force, backend):
    """Write a PlatformIO project that runs MODEL on a board and checks its output."""
    from .project import build as build_project

    click.echo(build_project(model, board, out_dir, force=force, backend=backend).summary())


@main.command()
def boards():
    """List the boards `tinygen build --board` knows (add your own: TINYGEN_TARGETS=<dir of .toml files>)."""
    from rich.console import Console
    from rich.table import Table

    from .boards import COLUMNS, table_rows

    table = Table(*COLUMNS, box=None, header_style="bold")
    for row in table_rows():
        table.add_row(*row)
    # Off a terminal rich would wrap to 80 columns: give it the table's natural width.
    Console(width=None if sys.stdout.isatty() else 200).print(table)
