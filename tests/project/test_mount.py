"""A project directory that is a mount point (a tmpfs here; a Docker bind mount in practice) or whose parent is
not writable: builds from outside and from inside (`-o .`) with user files, rebuilds, builds killed by SIGKILL at
random steps, and the stuck state earlier tinygen left (journal and staging beside a mount point, across
filesystems), each recovered by the next build. Mounting needs root: these tests skip, saying so, without it."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

from tests.project.test_concurrency import KEPT, USER_FILES, _cli, _project_on_disk, _start, _user_dir
from tests.project.test_concurrency import models, projects  # noqa: F401 — fixtures

from tinygen.writer import STAGING_TAG, recover

BOARD = "esp32"


def _mount(args: list[str]) -> None:
    run = subprocess.run(["mount", *args], capture_output=True, text=True)
    if run.returncode != 0:
        pytest.skip(f"mount {' '.join(args)} was refused ({run.stderr.strip()}): no mount point to build into")


def _unmount(path: Path) -> None:
    if subprocess.run(["umount", str(path)], capture_output=True).returncode != 0:
        subprocess.run(["umount", "-l", str(path)], check=True)  # busy (a killed build's cwd): detach it


@contextmanager
def _tmpfs(path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    path.mkdir(parents=True, exist_ok=True)
    _mount(["-t", "tmpfs", "none", str(path)])
    try:
        yield path
    finally:
        _unmount(path)


def _no_work_entries(out: Path) -> None:
    """Neither beside out nor inside it is a lock, journal or staging tree left."""
    prefix = f".{out.name}{STAGING_TAG}"
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(prefix)] == []
    assert [p.name for p in out.iterdir() if p.name.startswith(prefix)] == []


def _build(model: Path, out: str, cwd: Path, force: bool = True) -> subprocess.CompletedProcess:
    return _cli(["build", str(model), "-b", BOARD, "-o", out] + (["--force"] if force else []), cwd)


def test_build_into_a_mount_point_from_outside_and_inside(tmp_path, models, projects):
    """The issue's two reproductions: both now build, and rebuilds (either way, other model, nothing changed)
    keep every user file; the mount point stays mounted (its inode and device are those of the tmpfs root)."""
    with _tmpfs(tmp_path / "mp" / "proj") as out:
        mounted = os.stat(out)
        first = _build(models["fc"], str(out), tmp_path, force=False)  # an empty mount point needs no --force
        assert first.returncode == 0, first.stderr
        assert _project_on_disk(out, projects, {}) == "fc"
        _no_work_entries(out)
        _user_dir(out)  # the user's files instead; two of them where tinygen writes
        inside = _build(models["digits"], ".", out)
        assert inside.returncode == 0, inside.stderr
        assert _project_on_disk(out, projects, KEPT) == "digits"
        _no_work_entries(out)
        again = _build(models["digits"], ".", out)
        assert again.returncode == 0 and "0 files changed" in again.stdout, again.stderr
        outside = _build(models["fc"], str(out), tmp_path)
        assert outside.returncode == 0, outside.stderr
        assert _project_on_disk(out, projects, KEPT) == "fc"
        _no_work_entries(out)
        assert (os.stat(out).st_dev, os.stat(out).st_ino) == (mounted.st_dev, mounted.st_ino)


def test_build_killed_in_a_mount_point_then_recovered(tmp_path, models, projects):
    """SIGKILL at a random step of the write (staging, journal, each carry or placement), from outside or from
    inside: the next build completes its project, every user file kept, nothing of tinygen's left over."""
    rng = random.Random(14)
    kills = 0
    with _tmpfs(tmp_path / "mp" / "proj") as out:
        for round_ in range(6):
            _user_dir(out)  # on a mount point it empties it (the rmdir is refused) and writes the files
            first = _build(models["digits"], str(out), tmp_path)
            assert first.returncode == 0, first.stderr
            cwd, spelling = (out, Path(".")) if round_ % 2 else (tmp_path, out)
            door = tmp_path / "door"
            proc = _start(models["fc"], spelling, cwd, door, door, 0, rng.randrange(0, 14))
            proc.wait(timeout=120)
            assert proc.returncode in (0, -signal.SIGKILL), proc.stderr.read()
            kills += proc.returncode == -signal.SIGKILL
            recover(out)  # what the next build does first: the killed one's project, complete
            assert _project_on_disk(out, projects, KEPT) in ("digits", "fc")
            again = _build(models["fc"], str(spelling), cwd)
            assert again.returncode == 0, again.stderr
            assert _project_on_disk(out, projects, KEPT) == "fc"
            _no_work_entries(out)
    assert kills >= 4  # the seed's steps do kill


# Earlier tinygen: lock, journal and staging always beside the target, whatever filesystem the target is on.
EARLIER_TINYGEN = """
import sys
import tinygen.build_lock, tinygen.writer
beside = lambda target: target.parent
tinygen.build_lock.work_dir = tinygen.writer.work_dir = beside
from tinygen.cli import main
main(sys.argv[1:], prog_name="tinygen")
"""


@pytest.mark.parametrize("recovered_by", ["recover", "build"])
def test_stuck_state_of_earlier_tinygen_recovers(tmp_path, models, projects, recovered_by):
    """`cd proj && tinygen build … -o . --force` into a mount point with earlier tinygen: its journal beside the
    mount point names a staging tree on the parent's filesystem, so its first placement fails with EXDEV, and so
    does every later build of that tinygen. This one's recovery (alone, or as a build does first) finishes that
    update by copying the staged files into the mount point; the build then writes its own project."""
    with _tmpfs(tmp_path / "mp" / "proj") as out:
        _user_dir(out)
        first = _build(models["digits"], str(out), tmp_path)
        assert first.returncode == 0, first.stderr
        for _ in range(2):  # stuck: each of its builds fails the same way
            stuck = subprocess.run([sys.executable, "-c", EARLIER_TINYGEN, "build", str(models["fc"]), "-b", BOARD,
                                    "-o", ".", "--force"], cwd=out, capture_output=True, text=True)
            assert stuck.returncode == 2 and "Invalid cross-device link" in stuck.stderr, stuck.stderr
        assert (out.parent / f".{out.name}{STAGING_TAG}journal").is_file()
        assert len(list(out.parent.iterdir())) == 3  # the project, the journal, the staging tree
        if recovered_by == "recover":
            recover(out)
            assert _project_on_disk(out, projects, KEPT) == "fc"  # the stuck update, completed
            _no_work_entries(out)
        again = _build(models["digits"], ".", out)
        assert again.returncode == 0, again.stderr
        assert _project_on_disk(out, projects, KEPT) == "digits"
        _no_work_entries(out)
        assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


def test_parent_not_writable(tmp_path, models, projects):
    """/mnt/proj writable under a /mnt that is not: the parent's tmpfs is remounted read-only while the project, a
    bind mount of its own directory (same device as the parent: os.path.ismount does not see it), stays
    writable. Builds stage inside the project, from outside and from inside."""
    with _tmpfs(tmp_path / "mnt") as mnt:
        out = mnt / "proj"
        out.mkdir()
        _mount(["--bind", str(out), str(out)])
        try:
            _mount(["-o", "remount,bind,ro", str(mnt)])
            assert not os.access(mnt, os.W_OK) and os.stat(out).st_dev == os.stat(mnt).st_dev
            first = _build(models["fc"], str(out), tmp_path, force=False)
            assert first.returncode == 0, first.stderr
            (out / "notes.txt").write_bytes(USER_FILES["notes.txt"])
            inside = _build(models["digits"], ".", out)
            assert inside.returncode == 0, inside.stderr
            assert _project_on_disk(out, projects, {"notes.txt": USER_FILES["notes.txt"]}) == "digits"
            _no_work_entries(out)
        finally:
            _unmount(out)
