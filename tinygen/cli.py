"""Command line: parses arguments, calls the library, prints results. No compiler logic here."""
from __future__ import annotations

import errno
import signal
import sys
from pathlib import Path

import click
import numpy as np

from . import __version__
from .errors import TinygenError
from .limits import MAX_SAMPLES


def _fail(problem: str, fix: str, status: int) -> None:
    click.echo(f"error: {problem} — {fix}" if fix else f"error: {problem}", err=True)
    sys.exit(status)


def _terminated(signum, frame) -> None:  # noqa: ARG001
    """SIGTERM (kill, timeout) ends tinygen like Ctrl-C does: cleanup runs, so no child or temporary file stays."""
    raise SystemExit(128 + signum)


class _Group(click.Group):
    """Every failure is one line on stderr, `error: <what went wrong> — <how to fix it>`, never a traceback
    (--debug re-raises to show it). Exit status 2: bad input or usage; 3: a bug in tinygen."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode, **extra)
        if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _terminated)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.exceptions.NoArgsIsHelpError as e:
            e.show()
            sys.exit(e.exit_code)
        except click.UsageError as e:
            message = e.format_message().rstrip(".")
            where = e.ctx.command_path if e.ctx is not None else "tinygen"
            _fail(message[:1].lower() + message[1:], f"see '{where} --help'", 2)
        except click.ClickException as e:
            _fail(e.format_message(), "", e.exit_code)
        except click.Abort:
            click.echo("Aborted!", err=True)
            sys.exit(1)
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as e:  # noqa: BLE001 — the one place that turns exceptions into messages
            if ctx.meta.get("tinygen.debug"):
                raise
            if isinstance(e, TinygenError):
                _fail(e.problem, e.fix, 2)
            if isinstance(e, OSError):  # a file the user named could not be read or written
                if e.errno == errno.EPIPE:
                    sys.exit(1)
                where = f"{e.filename}: " if e.filename else ""
                _fail(f"{where}{e.strerror or e}", "check the path, its permissions and the free space", 2)
            _fail(f"internal error ({type(e).__name__}: {e})",
                  "this is a bug in tinygen: rerun with --debug and report the traceback", 3)


@click.group(cls=_Group)
@click.version_option(__version__)
@click.option("--debug", is_flag=True, help="Show tracebacks.")
@click.pass_context
def main(ctx, debug):
    """tinygen: int8 TensorFlow Lite models → standalone C for microcontrollers."""
    ctx.meta["tinygen.debug"] = debug


@main.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--input", "input_path", type=click.Path(path_type=Path),
              help=".npy batch [N, *input_shape] or one sample; several inputs: a .npz with one per input, keyed "
                   "by its name.")
@click.option("--output", "output_path", type=click.Path(path_type=Path),
              help="Write tinygen's outputs here (.npy; several outputs: .npz keyed by name).")
@click.option("--count", default=10, show_default=True, type=click.IntRange(min=1, max=MAX_SAMPLES),
              help="Random inputs when --input is not given.")
@click.option("--seed", default=0, show_default=True, type=click.IntRange(min=0), help="Seed for the random inputs.")
@click.option("--target", default="host", show_default=True,
              type=click.Choice(["host", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m55", "rv32imc",
                                 "xtensa"]),
              help="Where the generated C runs: the host, or that core's instruction set under QEMU.")
@click.option("--backend", type=click.Choice(["portable", "cmsis-nn", "specialized"]),
              help="Kernel library [default: specialized on cortex-m4/m7, else portable]; cmsis-nn needs "
                   "TINYGEN_CMSIS_NN=<CMSIS-NN source tree>.")
@click.option("--calibration", type=click.Path(path_type=Path, dir_okay=False),
              help="Keras models: float samples for int8 quantization (.npy/.npz), also the default inputs.")
@click.option("--io", type=click.Choice(["float", "int8"]),
              help="Keras and ONNX models: the generated API's input/output type [default: float; a float .tflite: "
                   "int8].")
@click.option("--sequence", is_flag=True,
              help="Stateful models: the samples (the first axis) are consecutive steps of one sequence, the "
                   "state carried from each to the next [default: independent samples, state reset before each].")
def emulate(model, input_path, output_path, count, seed, target, backend, calibration, io, sequence):
    """Run the generated C on the host or under QEMU and compare every output byte with TFLite Micro.

    MODEL is an int8 .tflite, or a .keras/.h5/SavedModel, .onnx or float .tflite with --calibration (quantized to
    int8 first)."""
    from .api import emulate as run

    result = run(model, inputs=input_path, calibration=calibration, io=io, count=count, seed=seed, target=target,
                 backend=backend, sequence=sequence)
    if output_path is not None:
        if isinstance(result.outputs, dict):  # several outputs: one array each, under the model's name for it
            with open(output_path, "wb") as f:  # a file object: numpy would append .npz to another suffix
                np.savez(f, **result.outputs)
        else:
            np.save(output_path, result.outputs)
    click.echo(result.summary())
    sys.exit(0 if result.exact else 1)


@main.command()
@click.argument("model", type=click.Path(path_type=Path))
@click.option("--board", "-b", help="Check the fit on this board and measure for its core (`tinygen boards`).")
@click.option("--backend", type=click.Choice(["portable", "cmsis-nn", "specialized"]),
              help="Kernel library the figures describe [default: the board's, else portable]; cmsis-nn needs "
                   "TINYGEN_CMSIS_NN=<CMSIS-NN source tree>.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON (keys documented in docs/report.md).")
@click.option("--plot", type=click.Path(path_type=Path), help="Write the arena timeline as a PNG.")
def report(model, board, backend, as_json, plot):
    """Per-layer memory and compute report: where every byte goes (arena, stack, flash for weights and code),
    and whether it fits a board. Flash and stack are measured with the core's gcc (Cortex-M4 without --board)."""
    import json

    from . import backends
    from .boards import get_board
    from .compiler import compile_model
    from .measure import footprint
    from .report import format_table, memory_report, plot_timeline

    b = get_board(board) if board else None
    core = b.core if b else "cortex-m4"
    backend = backend or (b.backend if b else "portable")
    backends.get(backend, core).check_available()  # a missing source tree is reported before compiling
    program = compile_model(model, backend=backend, core=core)
    data = memory_report(program, footprint(program, b), b)
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
@click.option("--backend", type=click.Choice(["specialized", "cmsis-nn", "portable"]),
              help="Kernel library [default: the board's].")
@click.option("--calibration", type=click.Path(path_type=Path, dir_okay=False),
              help="Keras models: float input samples for int8 quantization (.npy, or .npz: 'x' or its first array).")
@click.option("--validation", nargs=2, type=click.Path(path_type=Path, dir_okay=False), metavar="X Y",
              help="Keras models: samples and class labels (.npy) for the quantization report "
                   "[default: the calibration data].")
@click.option("--io", type=click.Choice(["float", "int8"]),
              help="Keras and ONNX models: the generated API's input/output type [default: float, quantize/dequantize "
                   "in C; a float .tflite: int8].")
def build(model, board, out_dir, force, backend, calibration, validation, io):
    """Write a PlatformIO project that runs MODEL (an int8 .tflite, or a .keras/.h5/SavedModel, .onnx or float
    .tflite with --calibration) on a board and checks its output."""
    from .api import compile as compile_project

    result = compile_project(model, board, calibration=calibration, validation=validation or None, io=io,
                             output=out_dir, force=force, backend=backend)
    if result.report is not None:
        click.echo(result.report.text())
    click.echo(result.summary)


@main.command()
@click.option("--all", "show_all", is_flag=True,
              help="Also list the PlatformIO boards installed on this machine (any of them works with --board).")
def boards(show_all):
    """List the boards `tinygen build --board` knows (add your own: TINYGEN_TARGETS=<dir of .toml files>)."""
    from rich.console import Console
    from rich.table import Table

    from .boards import COLUMNS, all_boards, table_rows

    table = Table(*COLUMNS, box=None, header_style="bold")
    for row in table_rows():
        table.add_row(*row)
    # Off a terminal rich would wrap to 80 columns: give it the table's natural width.
    console = Console(width=None if sys.stdout.isatty() else 200)
    console.print(table)
    if show_all:
        _installed_boards(console, {(b.platform, b.pio_board) for b in all_boards().values()})


def _installed_boards(console, curated: set) -> None:
    """`tinygen boards --all`: PlatformIO's installed catalogue, the boards above left out."""
    from rich.markup import escape
    from rich.table import Table

    from .boards import installed_row
    from .boards import catalogue

    cat = catalogue()
    rows = [installed_row(platform, b) for platform, b in cat.boards if (b.platform, b.pio_board) not in curated]
    console.print(f"\nPlatformIO boards installed in {escape(cat.directory)}: {len(rows)}"
                  + (f" (and {len(cat.boards) - len(rows)} listed above)" if len(rows) < len(cat.boards) else ""),
                  highlight=False)
    if rows:
        table = Table("board", "platform", "name", "core", "FPU", "MHz", "flash", "RAM", "kernels", "cycles",
                      box=None, header_style="bold")
        for row in sorted(rows):
            table.add_row(*map(escape, row))
        console.print(table)
    elif not cat.boards:
        console.print("(none: `pio pkg install -g -p <platform>` installs a platform and its boards)", highlight=False)
    for reason, n in sorted(cat.refused.items()):
        console.print(f"not usable: {n} board{'s' if n > 1 else ''} that {escape(reason)}", highlight=False)
    for problem in cat.problems:
        console.print(f"PlatformIO could not load {escape(problem)}", highlight=False)
