"""Progress bars for long work (emulator batches, the TFLM reference, calibration, benchmarks).

Drawn with rich on stderr, and only when stderr is an interactive terminal; anywhere else (a pipe, a CI log, a
test's captured output) nothing at all is printed. Bars opened while another is showing join the same display,
one line each, and disappear when their work is done.

    with progress.bar("TFLM reference", total=len(inputs)) as bar:
        for x in inputs:
            ...
            bar.advance()
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

MIN_TOTAL = 2  # a single step gets no bar
POLL_S = 0.1

_live = None  # the rich Progress showing now, shared by nested bars


def console():
    """The console bars draw on: stderr, if it is a terminal. It writes to a duplicate of the terminal's file
    descriptor, so a bar keeps drawing while TensorFlow's logs on descriptor 2 are being captured (frontend/keras
    .py). Anywhere else a console that is no terminal (FORCE_COLOR does not make a CI log one; TTY_INTERACTIVE=0
    turns bars off on a terminal). Tests replace this function."""
    from rich.console import Console

    try:
        fd = sys.stderr.fileno()
        tty = os.isatty(fd)
    except (AttributeError, OSError, ValueError):  # replaced by a test runner, or closed
        tty = False
    if not tty:
        return Console(stderr=True, force_terminal=False)
    file = os.fdopen(os.dup(fd), "w", encoding=getattr(sys.stderr, "encoding", None) or "utf-8", errors="replace")
    con = Console(file=file)
    con.tinygen_close = file.close
    return con


class Bar:
    """One bar. advance(n) adds done steps; update(done) sets the count (e.g. read from an output file)."""

    def __init__(self, progress=None, task=None):
        self._progress, self._task = progress, task

    @property
    def shown(self) -> bool:
        return self._progress is not None

    def advance(self, n: int = 1) -> None:
        if self._progress is not None:
            self._progress.advance(self._task, n)

    def update(self, done: int) -> None:
        if self._progress is not None:
            self._progress.update(self._task, completed=done)


@contextmanager
def bar(description: str, total: int) -> Iterator[Bar]:
    """A bar for `total` steps on an interactive terminal; a Bar that does nothing elsewhere."""
    global _live
    if total < MIN_TOTAL:
        yield Bar()
        return
    own = _live is None
    if own:
        con = console()
        if not con.is_interactive:
            getattr(con, "tinygen_close", lambda: None)()
            yield Bar()
            return
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        _live = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                         console=con, transient=True)
        _live.start()
    progress = _live
    task = progress.add_task(description, total=total)
    try:
        yield Bar(progress, task)
    finally:
        progress.remove_task(task)
        if own:
            progress.stop()
            _live = None
            getattr(progress.console, "tinygen_close", lambda: None)()


def run_counting(cmd: list[str], bar: Bar, output: Path, record_bytes: int, timeout: float | None = None,
                 **kwargs) -> subprocess.CompletedProcess:
    """subprocess.run(cmd, capture_output=True, text=True) that, while the program runs, sets `bar` to the
    number of records (record_bytes each) it has written to `output` so far. Without a shown bar it is exactly
    subprocess.run."""
    if not bar.shown:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)
    deadline = None if timeout is None else time.monotonic() + timeout
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)
    try:
        while True:
            try:
                stdout, stderr = proc.communicate(timeout=POLL_S)
                break
            except subprocess.TimeoutExpired:
                if deadline is not None and time.monotonic() > deadline:
                    raise subprocess.TimeoutExpired(cmd, timeout) from None
                try:
                    bar.update(output.stat().st_size // max(record_bytes, 1))
                except OSError:
                    pass  # not created yet
    except BaseException:  # a timeout or Ctrl-C: the program must not outlive the call (as in subprocess.run)
        proc.kill()
        proc.communicate()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, stdout, stderr)
