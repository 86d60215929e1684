"""Builds that run at once: real `python -m tinygen build` processes of two models racing into one directory
that holds user files (20 pairs), two builds into a new directory, builds killed with SIGKILL at random points
while another runs, and rebuilds from inside the project (`-o .`, `-o ..`, a link, a trailing slash).

Each racing process runs the real command line, with one addition (RACE_SCRIPT): it waits for its partner at the
door of the writer, then a random few milliseconds, so that the two writes really overlap instead of being
spread by the compile times."""
from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.helpers import REPO
from tests.support.schema_model import fc_model

from tinygen.build_lock import LOCK_SUFFIX, lock_path
from tinygen.project import build
from tinygen.writer import BACKUP_SUFFIX, recover

BOARD = "esp32"  # no core compiler here to measure with: the cheapest build (about 1 s, mostly imports)
PAIRS = 20

RACE_SCRIPT = """
import os, sys, time
from pathlib import Path
import tinygen.project, tinygen.writer

me, partner, jitter, kill_at = Path(sys.argv[1]), Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
write, steps = tinygen.project.write_project, []

def dying(real):  # the writer's steps: staging, journal, each carry, the exchange, each placement
    def step(*args, **kwargs):
        steps.append(real)
        if len(steps) > kill_at:
            os.kill(os.getpid(), 9)
        return real(*args, **kwargs)
    return step

def at_the_door(*args, **kwargs):
    me.touch()
    deadline = time.monotonic() + 30
    while not partner.exists() and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(jitter)
    if kill_at >= 0:
        for name in ("_write_tree", "_write_journal", "_move", "_exchange"):
            setattr(tinygen.writer, name, dying(getattr(tinygen.writer, name)))
        os.replace = dying(os.replace)
    return write(*args, **kwargs)

tinygen.project.write_project = at_the_door
from tinygen.cli import main
main(sys.argv[5:], prog_name="tinygen")
"""

USER_FILES = {
    "notes.txt": b"my notes\n",
    "platformio.ini": b"[env:mine]\nboard = my_board\n",  # the user's own, where tinygen writes its own
    "src/main.c": b"int main(void) { return 42; }\n",  # likewise
    "src/extra.c": b"int extra;\n",  # beside tinygen's files
    "data/samples.bin": bytes(range(256)),
}
# Where --force keeps them: those at a path tinygen writes are renamed to <path>.orig.
KEPT = {("platformio.ini" + BACKUP_SUFFIX if rel == "platformio.ini" else
         "src/main.c" + BACKUP_SUFFIX if rel == "src/main.c" else rel): data for rel, data in USER_FILES.items()}


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    """Two small models (different names, so different lib/<name>/ trees) and the project each makes alone."""
    root = tmp_path_factory.mktemp("race_models")
    (root / "fc_small.tflite").write_bytes(fc_model(3))
    paths = {"digits": REPO / "examples" / "digits" / "digits_int8.tflite", "fc": root / "fc_small.tflite"}
    return paths


@pytest.fixture(scope="module")
def projects(models, tmp_path_factory) -> dict[str, dict[str, bytes]]:
    root = tmp_path_factory.mktemp("race_projects")
    return {name: (build(path, BOARD, root / name), _tree(root / name))[1] for name, path in models.items()}


def _user_dir(out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    for rel, data in USER_FILES.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def _start(model: Path, out: Path, cwd: Path, door: Path, partner: Path, jitter: float, kill_at: int = -1,
           force: bool = True) -> subprocess.Popen:
    args = ["build", str(model), "-b", BOARD, "-o", str(out)] + (["--force"] if force else [])
    return subprocess.Popen([sys.executable, "-c", RACE_SCRIPT, str(door), str(partner), str(jitter), str(kill_at),
                             *args], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _race(models, out: Path, tmp: Path, rng: random.Random, kill_at: tuple[int, int] = (-1, -1),
          force: bool = True) -> dict[str, tuple[int, str, str]]:
    """Both models' builds into out at once → model → (exit status, stdout, stderr)."""
    for door in tmp.glob("door_*"):
        door.unlink()
    names = sorted(models)
    procs = {name: _start(models[name], out, tmp, tmp / f"door_{name}", tmp / f"door_{names[1 - i]}",
                          rng.uniform(0, 0.02), kill_at[i], force)
             for i, name in enumerate(names)}
    return {name: (p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for name, p in procs.items()}


def _project_on_disk(out: Path, projects: dict[str, dict[str, bytes]], user: dict[str, bytes]) -> str:
    """The model whose complete project (and nothing else of tinygen's) is in out beside the user's files."""
    tree = _tree(out)
    assert {rel: tree.get(rel) for rel in user} == user, "a user file changed or went missing"
    ours = {rel: data for rel, data in tree.items() if rel not in user}
    matches = [name for name, files in projects.items() if ours == files]
    assert len(matches) == 1, f"not one complete project: {sorted(ours)}"
    return matches[0]


def _nothing_beside(out: Path) -> None:
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")) == []


def test_racing_force_builds_keep_every_user_file(tmp_path, models, projects):
    """The issue's done-when: pairs of --force builds into one directory with user files, 20 times: every user
    file byte-identical afterwards, every exit 0 matches what is on disk (the one that wrote last), never a mix."""
    rng = random.Random(14)
    out = tmp_path / "proj"
    start = time.monotonic()
    for pair in range(PAIRS):
        _user_dir(out)
        runs = _race(models, out, tmp_path, rng)
        assert all(status == 0 for status, _, _ in runs.values()), runs
        on_disk = _project_on_disk(out, projects, KEPT)
        # The lock ordered them: the first carried the user's platformio.ini and main.c aside, the second
        # replaced the first's project; each summary says what it did, and the last one's project is on disk.
        first = [name for name, (_, stdout, _) in runs.items() if "kept your platformio.ini as" in stdout]
        assert len(first) == 1 and first[0] != on_disk, runs
        assert "stale removed" in runs[on_disk][1], runs[on_disk][1]
        _nothing_beside(out)
    print(f"{PAIRS} pairs in {time.monotonic() - start:.1f} s")


def test_two_builds_into_a_new_directory(tmp_path, models, projects):
    rng = random.Random(2)
    for round_ in range(3):
        out = tmp_path / f"new{round_}"
        runs = _race(models, out, tmp_path, rng, force=False)
        assert all(status == 0 for status, _, _ in runs.values()), runs
        on_disk = _project_on_disk(out, projects, {})
        # The other wrote first: its project, all tinygen's, was replaced without --force.
        assert "stale removed" in runs[on_disk][1] and "stale removed" not in runs[
            next(n for n in runs if n != on_disk)][1]
        _nothing_beside(out)


def test_builds_killed_at_random_points_while_another_runs(tmp_path, models, projects):
    """One of a racing pair dies by SIGKILL at a random step of its write (or, from outside, at a random moment);
    the other completes, and so does a third build after it: no user file lost, every exit 0 on disk."""
    rng = random.Random(9)
    out = tmp_path / "proj"
    kills = 0
    for round_ in range(8):
        _user_dir(out)
        victim = round_ % 2
        steps = [-1, -1]
        steps[victim] = rng.randrange(0, 14) if round_ < 6 else -1
        runs = _race(models, out, tmp_path, rng, kill_at=tuple(steps)) if round_ < 6 else None
        if runs is None:  # from outside: SIGKILL at a random moment of the victim's run
            names = sorted(models)
            procs = [_start(models[n], out, tmp_path, tmp_path / f"x{n}{round_}", tmp_path / f"x{n}{round_}", 0)
                     for n in names]
            time.sleep(rng.uniform(0.5, 2.0))
            procs[victim].send_signal(signal.SIGKILL)
            runs = {n: (p.wait(timeout=120), p.stdout.read(), p.stderr.read()) for n, p in zip(names, procs)}
        names = sorted(models)
        survivor, killed = names[1 - victim], names[victim]
        assert runs[survivor][0] == 0 and runs[killed][0] in (0, -signal.SIGKILL), runs
        kills += runs[killed][0] == -signal.SIGKILL
        if "waiting for another tinygen build" in runs[survivor][2]:
            # It wrote last, after recovering what the killed build left: its project is on disk.
            assert _project_on_disk(out, projects, KEPT) == survivor
        else:
            # The killed build may have been the last: the next build first recovers its old or new project.
            recover(out)
            _project_on_disk(out, projects, KEPT)
        # A third build recovers whatever the killed one left and writes its own project.
        third = subprocess.run([sys.executable, "-m", "tinygen", "build", str(models[killed]), "-b", BOARD,
                                "-o", str(out), "--force"], cwd=tmp_path, capture_output=True, text=True)
        assert third.returncode == 0, third.stderr
        assert _project_on_disk(out, projects, KEPT) == killed
        _nothing_beside(out)
    assert kills >= 5  # the seed's steps and moments do kill


def test_a_waiting_build_names_the_one_it_waits_for(tmp_path, models, projects):
    import fcntl

    out = tmp_path / "proj"
    with open(lock_path(out), "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        held.write("4242\n")
        held.flush()
        proc = subprocess.Popen([sys.executable, "-m", "tinygen", "build", str(models["fc"]), "-b", BOARD,
                                 "-o", str(out)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
        waiting = proc.stderr.readline()  # once it reaches the lock
        assert waiting == f"waiting for another tinygen build of {out} (process 4242) to finish\n"
        time.sleep(0.5)
        assert proc.poll() is None and not out.exists()  # it waits, and writes nothing meanwhile
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, waiting + stderr
    assert _project_on_disk(out, projects, {}) == "fc"
    assert not lock_path(out).exists() and LOCK_SUFFIX in lock_path(out).name


# ---- rebuilding from inside the project ----

def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tinygen", *args], cwd=cwd, capture_output=True, text=True)


@pytest.mark.parametrize("where,spelling", [("proj", "."), ("proj/src", ".."), ("proj/data", "../"),
                                            (".", "proj/"), (".", "link")])
def test_rebuild_from_inside_or_through_another_spelling(tmp_path, models, projects, where, spelling):
    """`cd proj && tinygen build ../m.tflite -o .` (and `-o ..` from a subdirectory) updates the project in place:
    the shell's directory is still the project, and src/ is still src/; a trailing slash or a symbolic link to the
    project names the project itself (the link stays a link)."""
    out = tmp_path / "proj"
    _user_dir(out)
    (tmp_path / "link").symlink_to("proj")
    first = _cli(["build", str(models["digits"]), "-b", BOARD, "-o", str(out), "--force"], tmp_path)
    assert first.returncode == 0, first.stderr
    (out / "src" / "main.c").write_bytes(b"/* my edit */\n")  # tinygen's file, edited: the user's now
    kept = {**KEPT, "src/main.c" + BACKUP_SUFFIX + ".1": b"/* my edit */\n"}
    cwd = tmp_path / where
    identity = {d: os.stat(d).st_ino for d in (out, out / "src", cwd)}
    run = _cli(["build", str(models["fc"]), "-b", BOARD, "-o", spelling, "--force"], cwd)
    assert run.returncode == 0, run.stderr
    assert _project_on_disk(out, projects, kept) == "fc"
    assert (tmp_path / "link").is_symlink()
    in_place = where != "."
    assert ({d: os.stat(d).st_ino for d in identity} == identity) == in_place
    _nothing_beside(out)
    # Nothing to change: nothing written.
    again = _cli(["build", str(models["fc"]), "-b", BOARD, "-o", spelling, "--force"], cwd)
    assert again.returncode == 0 and "0 files changed" in again.stdout, again.stderr


@pytest.mark.parametrize("kill_at", range(0, 12, 2))
def test_in_place_update_killed_then_resumed(tmp_path, models, projects, kill_at):
    """SIGKILL at a step of an in-place update (`-o .`): the next build first completes it, no user file lost."""
    out = tmp_path / "proj"
    _user_dir(out)
    first = _cli(["build", str(models["digits"]), "-b", BOARD, "-o", str(out), "--force"], tmp_path)
    assert first.returncode == 0, first.stderr
    door = tmp_path / "door"
    proc = _start(models["fc"], Path("."), out, door, door, 0, kill_at)
    proc.wait(timeout=120)
    assert proc.returncode in (0, -signal.SIGKILL), proc.stderr.read()
    again = _cli(["build", str(models["fc"]), "-b", BOARD, "-o", ".", "--force"], out)
    assert again.returncode == 0, again.stderr
    assert _project_on_disk(out, projects, KEPT) == "fc"
    _nothing_beside(out)
