"""One build at a time per project directory: an exclusive lock on `.<target>.tinygen-lock` in its work
directory (work_dir: beside the target, or inside it when it cannot be beside it).

A second build of the same directory waits (up to WAIT_SECONDS, saying once on stderr which process it waits
for), then refuses. The lock is flock(2)'s: the kernel drops it when its holder dies, even by SIGKILL, so a lock
is never stale. The holder deletes the file as it releases it (nothing is left beside the project); a waiter that
then gets the lock of the deleted file sees that the path no longer names it and locks the new one.
"""
from __future__ import annotations

import os
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import TinygenError

try:
    import fcntl
except ImportError:  # Windows is not a target platform: builds there run unlocked rather than fail at import
    fcntl = None

LOCK_SUFFIX = ".tinygen-lock"
WAIT_SECONDS = 120.0  # a build's writing step takes well under a second; this is another build stuck or paused
POLL_SECONDS = 0.05


def work_dir(target: Path) -> Path:
    """Where target's lock, journal and staging trees live: beside it, unless target is a mount point (a rename
    cannot cross into the parent's filesystem, nor move a mount point) or its parent is not writable (/mnt/proj
    owned by the user under a root-owned /mnt); then inside it, so that every move stays inside target. Builds
    never change which: they neither mount nor change permissions, so every build of target agrees."""
    parent = target.parent
    if not target.is_dir():
        return parent
    return target if os.path.ismount(target) or not os.access(parent, os.W_OK | os.X_OK) else parent


def lock_path(target: Path) -> Path:
    return work_dir(target) / f".{target.name}{LOCK_SUFFIX}"


def _holder(fd: int) -> str:
    """The process id the holder wrote into the lock file, as text ('' while it has not written it yet)."""
    text = os.pread(fd, 32, 0).decode("ascii", errors="replace").strip()
    return text if text.isdigit() else ""


def _names_this_file(fd: int, path: Path) -> bool:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (st.st_dev, st.st_ino) == (held.st_dev, held.st_ino)


def _acquire(target: Path, path: Path, wait_seconds: float) -> int:
    deadline = time.monotonic() + wait_seconds
    announced = False
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    pid = _holder(fd)
                    who = f"process {pid}" if pid else "another process"
                    if time.monotonic() >= deadline:
                        raise TinygenError(f"another tinygen build ({who}) has been writing {target} for over "
                                           f"{wait_seconds:.0f} s", "wait until it ends or stop it, then build "
                                                                    "again") from None
                    if not announced:
                        print(f"waiting for another tinygen build of {target} ({who}) to finish",
                              file=sys.stderr, flush=True)
                        announced = True
                    time.sleep(POLL_SECONDS)
            if _names_this_file(fd, path):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
                return fd
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)  # its holder deleted the file as it released it: lock the one at the path now


@contextmanager
def target_lock(target: Path, wait_seconds: float | None = None) -> Iterator[None]:
    """Hold the lock of the project directory target (absolute, no symbolic links: every spelling of one
    directory must name one lock) for the block. Its parent directory must exist."""
    if fcntl is None:
        yield
        return
    path = lock_path(target)
    fd = _acquire(target, path, WAIT_SECONDS if wait_seconds is None else wait_seconds)
    try:
        yield
    finally:
        try:
            os.unlink(path)  # while still held: nobody can have locked the file at the path since
        except FileNotFoundError:
            pass
        os.close(fd)
