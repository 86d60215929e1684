"""Run a step tinygen does not control (TensorFlow's converter, the TFLM interpreter) in a child process.

Native code in those libraries can crash the process (a segfault on odd calibration data, an abort in a
kernel's Prepare). In a child, a crash becomes a TinygenError naming the step, and tinygen's own process, its
files and its messages survive. The child is a fresh interpreter running `child(<dir>)` of this module, not a fork:
TensorFlow's threads do not survive a fork, and unlike multiprocessing's 'spawn' it never re-runs the caller's
main module (a user script calling tinygen.compile at top level). The step is named "module:function" and
imported by name in the child, so it runs exactly the code the package holds.

The request (arguments) and the reply (result or error) are pickled through files in a temporary directory;
the child's stdout and stderr are captured (TensorFlow's log noise), and only a crash's last stderr line is shown.
The child imports tinygen from where the parent did, and dies with its parent (PR_SET_PDEATHSIG on Linux).
"""
from __future__ import annotations

import ctypes
import importlib
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import traceback
from pathlib import Path

from . import progress
from .errors import TinygenError

REQUEST, REPLY, PROGRESS, STAGE = "request.pickle", "reply.pickle", "progress", "stage"
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_work: Path | None = None  # set in the child: where report_progress and report_stage write


class StepCrashed(TinygenError):
    """The child running a contained step died without a reply (a signal or a native abort); `stage` is the
    last one the step reported."""

    def __init__(self, problem: str, fix: str, stage: str):
        super().__init__(problem, fix)
        self.stage = stage


def run(step: str, what: str, fix: str, *args, bar: progress.Bar = progress.Bar()):
    """step(*args) in a child process ("package.module:function"); returns its result. A TinygenError it raises
    is raised here; any other exception is a bug (RuntimeError with the child's traceback); a child that dies
    raises StepCrashed: "<what> crashed (<signal>)" with `fix`. `bar` follows the step's report_progress."""
    with tempfile.TemporaryDirectory(prefix="tinygen_step_") as tmp:
        work = Path(tmp)
        (work / REQUEST).write_bytes(pickle.dumps((step, args), protocol=pickle.HIGHEST_PROTOCOL))
        env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL=os.environ.get("TF_CPP_MIN_LOG_LEVEL", "3"))
        # -c, not -m: the steps import this module by name, and report_progress must see what child() set. The
        # child imports the tinygen this process runs, not whichever one its own sys.path would find first.
        package_root = str(Path(__file__).resolve().parents[1])
        command = [sys.executable, "-c", "import sys; sys.path.insert(0, sys.argv[2]); "
                   "import tinygen.contain as c; c.child(sys.argv[1])", str(work), package_root]
        result = progress.run_counting(command, bar, work / PROGRESS, 1, env=env, stdin=subprocess.DEVNULL)
        reply = work / REPLY
        if not reply.exists():
            stage = (work / STAGE).read_text() if (work / STAGE).exists() else ""
            raise StepCrashed(f"{what} crashed{f' while {stage}' if stage else ''} "
                              f"({_describe(result.returncode)}{_last_words(result.stderr)}); tinygen wrote nothing",
                              fix, stage)
        kind, value = pickle.loads(reply.read_bytes())
    if kind == "ok":
        return value
    if kind == "refused":
        raise TinygenError(*value)
    raise RuntimeError(f"{step} failed in its child process:\n{value}")


def report_progress(done: int) -> None:
    """In a contained step: `done` steps of the current pass are complete (the parent's bar shows it).
    Elsewhere nothing happens."""
    if _work is not None:
        with open(_work / PROGRESS, "ab") as f:
            f.truncate(done)  # the file's size is the count run_counting reads


def report_stage(stage: str) -> None:
    """In a contained step: what it does now ("calibrating"), named if the child crashes."""
    if _work is not None:
        (_work / STAGE).write_text(stage)


def _last_words(stderr: str) -> str:
    """The native library's last log line (an abort's "Check failed: ..."), if it left one."""
    lines = [line.strip() for line in (stderr or "").splitlines() if line.strip()]
    return f": {lines[-1][:200]}" if lines else ""


def _describe(status: int) -> str:
    return f"killed by {signal_name(-status)}" if status < 0 else f"exit status {status} without a result"


def signal_name(number: int) -> str:
    """SIGSEGV for 11: what killed a child process (subprocess's negative return code)."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _die_with_parent() -> None:
    """Ask Linux to kill this child when the parent dies (killed, or ended without waiting for it)."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):  # not Linux: the parent's kill on Ctrl-C still applies
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def child(work) -> None:
    """The child process's side of run: the step named in work/request.pickle, its reply to work/reply.pickle."""
    global _work
    _die_with_parent()
    work = Path(work)
    _work = work
    step, args = pickle.loads((work / REQUEST).read_bytes())
    module, function = step.split(":")
    try:
        reply = ("ok", getattr(importlib.import_module(module), function)(*args))
    except TinygenError as e:
        reply = ("refused", (e.problem, e.fix))
    except Exception:  # noqa: BLE001 - handed to the parent, which reports it as a bug
        reply = ("bug", traceback.format_exc())
    partial = work / (REPLY + ".partial")  # the parent sees a whole reply or none
    partial.write_bytes(pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL))
    partial.rename(work / REPLY)
