"""Writing a project directory without ever losing a user's file.

An existing directory holding files tinygen did not write (or wrote and the user changed since) is refused unless
force; with force those files stay, and one at a path tinygen writes is renamed to <path>.orig. One build at a
time writes a directory (build_lock); the others wait. A rebuild is written complete in a directory beside the
target and switched in with one atomic directory exchange (journaled, see _switch), so an interrupted build leaves
the complete old or the complete new project and every user file. A target holding the current working directory
is updated in place instead (see _update_in_place), and so is one whose lock, journal and staging trees cannot be
beside it (build_lock.work_dir: a mount point, or a parent that is not writable): they live inside it, at
.<target>.tinygen-*, which are neither the project's files nor the user's. Output is deterministic: building
twice gives byte-identical trees.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .build_lock import target_lock, work_dir
from .errors import TinygenError

MANIFEST = ".tinygen-manifest"
TOOL_DIRS = (".pio", ".vscode")  # PlatformIO's build output and its IDE's settings: neither ours nor the user's
BACKUP_SUFFIX = ".orig"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_manifest(out: Path) -> dict[str, set[str]]:
    path = out / MANIFEST
    entries: dict[str, set[str]] = {}
    if path.is_file() and not path.is_symlink():
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            digest, sep, rel = line.partition("  ")
            if sep and not line.startswith("#"):
                entries.setdefault(rel, set()).add(digest)
    return entries


def _manifest_text(entries: dict[str, set[str]]) -> bytes:
    lines = [f"# Written by tinygen {__version__}: sha256 and path of each file it wrote here. "
             "`tinygen build` replaces these; every other file is yours and is left alone."]
    lines += [f"{digest}  {rel}" for rel in sorted(entries) for digest in sorted(entries[rel])]
    return ("\n".join(lines) + "\n").encode()


def _existing(out: Path) -> list[str]:
    """Relative paths of the files (and symlinks) under out, outside the tool directories and the manifest."""
    found = []
    for root, dirs, files in os.walk(out):
        rel_root = Path(root).relative_to(out)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in TOOL_DIRS]
        for d in list(dirs):
            if (Path(root) / d).is_symlink():  # never walk into a link: it is one user entry
                dirs.remove(d)
                found.append((rel_root / d).as_posix())
        found += [(rel_root / f).as_posix() for f in files]
    return sorted(p for p in found if p != MANIFEST and not _is_work_entry(out, p.split("/")[0]))


@dataclass
class WriteResult:
    out_dir: Path
    written: list[str] = field(default_factory=list)  # changed or new
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # tinygen's own files from an earlier build
    backed_up: dict[str, str] = field(default_factory=dict)  # user path → where it was moved


def _write_tree(root: Path, files: dict[str, bytes], reuse: Path | None = None,
                same: frozenset[str] = frozenset()) -> None:
    """Write files under root and fsync them (a power cut after the switch must not leave empty files). Paths
    in `same` are hard links to reuse/<path> where the filesystem allows: unchanged files keep their inode and
    mtime, so PlatformIO does not recompile them."""
    dirs = {root}
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        dirs.update(p for p in path.parents if root in p.parents or p == root)
        if rel in same and reuse is not None:
            try:
                os.link(reuse / rel, path, follow_symlinks=False)
                continue
            except OSError:
                pass  # no hard links here (FAT, protected_hardlinks): a copy is as good
        with open(path, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
    for d in sorted(dirs, key=lambda d: len(d.parts), reverse=True):
        _fsync_dir(d)


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems cannot sync a directory; nothing better to do
    finally:
        os.close(fd)


STAGING_TAG = ".tinygen-"  # .<target>.tinygen-<pid>-<hex>[-old]: staging and old trees, in work_dir(target)


def _tree_path(out: Path, suffix: str = "") -> Path:
    return work_dir(out) / f".{out.name}{STAGING_TAG}{os.getpid()}-{secrets.token_hex(4)}{suffix}"


def _is_tree_name(out: Path, name: str) -> bool:
    """name is one of _tree_path's for out (not the journal, the lock, or another target's tree)."""
    pattern = rf"\.{re.escape(out.name)}{re.escape(STAGING_TAG)}[0-9]+-[0-9a-f]{{8}}(-old)?"
    return re.fullmatch(pattern, name) is not None


def _staging_dir(out: Path) -> Path:
    staging = _tree_path(out)
    staging.mkdir()  # mode from the umask, unlike tempfile.mkdtemp's 0700: it may become the project itself
    return staging


def _journal_path(out: Path, where: Path | None = None) -> Path:
    return (work_dir(out) if where is None else where) / f".{out.name}{STAGING_TAG}journal"


def _is_work_entry(out: Path, rel: str) -> bool:
    """rel is tinygen's lock, journal or staging tree inside out (see work_dir): neither the project's nor yours."""
    return work_dir(out) == out and rel.startswith(f".{out.name}{STAGING_TAG}")


def resolve_target(out: Path) -> Path:
    """The directory a build of out writes: absolute and through symbolic links, so that every spelling of one
    directory (`fw`, `./fw/`, `../x/fw`, a link to it) shares one lock and one journal, and its last component is
    a name (rename(2) refuses `.` and `..` with EBUSY, "Device or resource busy")."""
    if out.is_symlink() and not out.exists():
        raise TinygenError(f"{out} is a symbolic link to {os.readlink(out)}, which does not exist",
                           "create that directory, or give another one")
    target = Path(os.path.realpath(out))
    if target.parent == target:
        raise TinygenError(f"{out} is the root directory", "give a directory for the project")
    if target.exists() and not target.is_dir():
        raise TinygenError(f"{out} is a file", "give a directory for the project")
    return target


def _holds_cwd(target: Path) -> bool:
    try:
        cwd = Path(os.getcwd())  # the kernel's path: absolute, no symbolic links, like resolve_target's
    except FileNotFoundError:
        return False
    return cwd == target or target in cwd.parents


# ---- switching a rebuilt tree into place ----
#
# A rebuild of an existing project never edits the project in place (unless it holds the working directory, see
# _update_in_place). In order, all under the target's lock:
#   1. stage: the complete new tinygen tree is written into a staging directory S beside the target T (its
#      manifest first, so that a staging tree cut short still names every file tinygen put there).
#   2. journal: .<T>.tinygen-journal (written atomically) names S, the identity (st_dev, st_ino) of S, and every
#      carry (T/old → S/new) planned in step 3.
#   3. carry: each entry that is not tinygen's (user files and directories, .pio/, .vscode/) moves from T into S
#      by one rename (a user entry in the way of a tinygen file moves to <name>.orig).
#   4. commit: one renameat2(RENAME_EXCHANGE) swaps T and S; without it, T → aside then S → T.
#   5. the old tinygen tree (now at S or aside) is deleted, then the journal.
# Every entry is at each moment in exactly one place the journal knows. Recovery (_recover: run when a step
# raises, and at the start of every build for a process that was killed) looks at T's identity: T is S's inode
# → committed: finish step 5; otherwise roll back: put aside back at T if step 4's fallback was cut between its
# two renames, move every carried entry back to its old path, delete S. Either way the result is the complete old
# or the complete new project with every user entry at its path; recovery is idempotent, so a recovery that is
# itself interrupted is simply run again.

AT_FDCWD = -100
RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directory entries (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    import ctypes
    import errno

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def _move(src: Path, dst: Path) -> None:
    """One carry or carry-back: a rename within the target's filesystem."""
    os.rename(src, dst)


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _write_journal(out: Path, journal: dict) -> None:
    path = _journal_path(out)
    tmp = path.with_name(path.name + ".next")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(journal, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def _some(paths: list[str]) -> str:
    """The first five of paths, for a message."""
    return ", ".join(paths[:5]) + (f" and {len(paths) - 5} more" if len(paths) > 5 else "")


def _foreign_entries(tree: Path) -> list[str]:
    """Entries of a staging or old tree that tinygen did not put there. tinygen writes regular files only, each
    at a path the tree's own manifest lists (written first); anything else (a file it does not list, a symbolic
    link, a directory holding no listed file) was carried in, and is a user's."""
    listed = _read_manifest(tree)
    listed_dirs = {p.as_posix() for rel in listed for p in Path(rel).parents}
    foreign = []
    for root, dirs, files in os.walk(tree):
        rel_root = Path(root).relative_to(tree)
        for name in list(dirs):
            rel = (rel_root / name).as_posix()
            if rel not in listed_dirs or (Path(root) / name).is_symlink():
                foreign.append(rel)
                dirs.remove(name)
        for name in files:
            rel = (rel_root / name).as_posix()
            if rel != MANIFEST and (rel not in listed or (Path(root) / name).is_symlink()):
                foreign.append(rel)
    return sorted(foreign)


def _delete_stale_trees(out: Path, where: Path) -> None:
    """Staging and old trees of out in where once its journal there is dealt with: left by a build killed before
    it wrote its journal, or by builds that ran at once before builds took the lock. Deleted only when they hold
    nothing but tinygen's files; otherwise refused, naming them. (Under the lock no other build of out is
    running.)"""
    for stale in sorted(where.iterdir()):
        if not _is_tree_name(out, stale.name) or stale.is_symlink() or not stale.is_dir():
            continue
        foreign = _foreign_entries(stale)
        if foreign:
            raise TinygenError(f"{stale} holds {_some(foreign)}, which an interrupted build of {out.name} left there",
                               f"move what you want to keep into {out}, delete {stale.name}, then build again")
        shutil.rmtree(stale)


def _recover(out: Path) -> None:
    """Finish or undo an interrupted switch or in-place update of out (see above), then delete staging trees
    nobody refers to. The caller holds out's lock. Beside out first: earlier tinygen journaled there even for a
    target that is a mount point (see _move_staging_home)."""
    home = work_dir(out)
    for where in dict.fromkeys([out.parent, home]):
        if where != home and not os.access(where, os.W_OK | os.X_OK):
            continue  # not writable: no build can have left anything there
        path = _journal_path(out, where)
        path.with_name(path.name + ".next").unlink(missing_ok=True)  # a journal never completed: nothing moved yet
        if path.is_file():
            journal = json.loads(path.read_text(encoding="utf-8"))
            if journal.get("mode") != "in-place":
                _recover_switch(out, journal)  # switches are only ever journaled beside out
            elif where != home:
                _move_staging_home(out, journal, where)
            else:
                _apply_in_place(out, journal)
                _finish_in_place(out, journal)
        _delete_stale_trees(out, where)


def _recover_switch(out: Path, journal: dict) -> None:
    """Finish (committed) or undo (not) the journaled switch of out."""
    staging, aside = out.parent / journal["staging"], out.parent / journal["aside"]
    new_id = tuple(journal["new"])
    carried = journal["carried"]
    if _identity(out) is None and _identity(aside) is not None:
        os.rename(aside, out)  # the fallback switch was cut between its two renames: undo its first
    if _identity(out) == new_id:  # committed: only the old tinygen tree is left to delete
        for old in (staging, aside):
            if _identity(old) is not None:
                left = [o for o, _ in carried if os.path.lexists(old / o)]
                if left:  # cannot happen (all carries precede the commit); never delete a user's entry
                    raise TinygenError(f"{old} still holds {', '.join(left)} of yours", f"move them into {out}")
                shutil.rmtree(old)
    else:
        for old_rel, new_rel in reversed(carried):
            if os.path.lexists(staging / new_rel) and not os.path.lexists(out / old_rel):
                (out / old_rel).parent.mkdir(parents=True, exist_ok=True)
                _move(staging / new_rel, out / old_rel)
        _fsync_dir(out)
        left = [n for _, n in carried if os.path.lexists(staging / n)]
        if left:
            raise TinygenError(f"an interrupted build left {', '.join(left)} of yours in {staging}",
                               f"move them back into {out}, then build again")
        shutil.rmtree(staging, ignore_errors=True)
    _journal_path(out, out.parent).unlink()
    _fsync_dir(out.parent)


def recover(out: Path) -> None:
    """What every build of out does first: finish or undo a build of out that was killed."""
    target = resolve_target(Path(out))
    if target.parent.is_dir():
        with target_lock(target):
            _recover(target)


def _switch(out: Path, staging: Path, carried: list[tuple[str, str]]) -> None:
    """Steps 2–5 above."""
    aside = _tree_path(out, "-old")
    try:
        _write_journal(out, {"staging": staging.name, "aside": aside.name, "new": list(_identity(staging)),
                             "carried": [list(c) for c in carried]})
        for old_rel, new_rel in carried:
            (staging / new_rel).parent.mkdir(parents=True, exist_ok=True)
            _move(out / old_rel, staging / new_rel)
        for parent in sorted({(out / o).parent for o, _ in carried} | {(staging / n).parent for _, n in carried}):
            _fsync_dir(parent)  # the carries reach the disk before the commit can
        if not _exchange(out, staging):
            os.rename(out, aside)
            os.rename(staging, out)
        _fsync_dir(out.parent)
    except BaseException:
        _recover(out)  # back to the complete old project before reporting the failure
        raise
    _recover(out)  # committed: deletes the old tinygen tree and the journal


def _plan_carries(out: Path, files: dict[str, bytes], ours: set[str]) -> tuple[list[tuple[str, str]], set[str]]:
    """Which entries of out move into the new tree, and where: everything not tinygen's, each as high up as
    possible (a directory holding nothing of tinygen's moves as one). Also returns the old tinygen files the new
    tree drops."""
    new_dirs = {Path(rel).parents[i].as_posix() for rel in files for i in range(len(Path(rel).parts) - 1)}
    ours_dirs = {Path(rel).parents[i].as_posix() for rel in ours for i in range(len(Path(rel).parts) - 1)}
    taken = set(files) | new_dirs
    carried: list[tuple[str, str]] = []

    def free(rel: str) -> str:
        candidate, n = rel + BACKUP_SUFFIX, 1
        while candidate in taken or os.path.lexists(out / candidate):
            candidate, n = f"{rel}{BACKUP_SUFFIX}.{n}", n + 1
        return candidate

    def walk(rel_dir: str) -> None:
        for entry in sorted(os.scandir(out / rel_dir), key=lambda e: e.name):
            rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
            if rel == MANIFEST or rel in ours:
                continue  # tinygen's: the new tree has its new version or drops it
            is_dir = entry.is_dir(follow_symlinks=False)
            if is_dir and rel not in files and (rel in ours_dirs or rel in new_dirs) and rel not in TOOL_DIRS:
                walk(rel)  # holds tinygen's files, or the new tree has a directory here: carry entry by entry
                continue
            # A directory holding nothing of tinygen's moves whole; an entry where tinygen writes a file (or needs
            # a directory) moves aside.
            dest = free(rel) if rel in files or (rel in new_dirs and not is_dir) else rel
            carried.append((rel, dest))
            taken.add(dest)

    walk("")
    return carried, ours - set(files)


# ---- updating in place: the target holds the working directory ----
#
# Exchanging the target would leave the user's shell (and whatever else runs there) in the old tree, which the
# build then deletes: after `cd proj && tinygen build ../m.tflite -b B -o .` the shell must still be in the
# project. So when the target is the working directory or one of its parents, its directories stay and the files
# change inside them, journaled for redo instead of undo. The same holds when the target is a mount point or its
# parent is not writable: a mount point cannot be renamed nor renamed into, so S and the journal are inside T
# (work_dir) and every move stays on T's filesystem:
#   1. stage: the new and changed files and the manifest are written and fsynced into S in work_dir(T).
#   2. journal: names S, the carries (a user's entry at a path tinygen writes → <name>.orig, inside T), tinygen's
#      old files the new project drops and those it replaces, each with its sha256.
#   3. apply: the carries; the drops (a file is deleted only while it has its old content, then the directories
#      that left empty); each staged file renamed over its old version, the manifest last.
#   4. S, now holding empty directories only, is deleted, then the journal.
# Before the journal T is untouched; from it on, recovery runs steps 3 and 4 again (each move is skipped once
# done), so the result is the complete new project. While step 3 runs the tree is part old, part new, which no
# rename can avoid here; but no user entry is deleted or overwritten: a path holding anything but what the
# journal expects there stops the update with an error, and the next build resumes it. A journal that earlier
# tinygen left beside a mount point (S on the parent's filesystem) is first moved into work_dir by copying S
# (_move_staging_home), then resumed the same way.

def _holds(path: Path, digest: str | None) -> bool:
    """path is a regular file whose sha256 is digest."""
    return digest is not None and path.is_file() and not path.is_symlink() and _sha256(path.read_bytes()) == digest


def _update_in_place(out: Path, files: dict[str, bytes], manifest: bytes, written: list[str],
                     carried: list[tuple[str, str]], ours: dict[str, str]) -> None:
    staging = _staging_dir(out)
    try:
        _write_tree(staging, {MANIFEST: manifest, **{rel: files[rel] for rel in written}})
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # only tinygen's new files
        raise
    old_manifest = out / MANIFEST
    replaced = {rel: ours[rel] for rel in written if rel in ours}
    if old_manifest.is_file() and not old_manifest.is_symlink():
        replaced[MANIFEST] = _sha256(old_manifest.read_bytes())
    journal = {"mode": "in-place", "staging": staging.name,
               "carried": [[old, new] for old, new in carried if old != new],
               "dropped": {rel: ours[rel] for rel in sorted(set(ours) - set(files))},
               "replaced": replaced, "placed": [*written, MANIFEST]}
    _write_journal(out, journal)
    _apply_in_place(out, journal)
    _finish_in_place(out, journal)


def _move_staging_home(out: Path, journal: dict, where: Path) -> None:
    """An in-place update journaled in where, not in work_dir(out): earlier tinygen staged beside a mount
    point, so its first placement failed across filesystems (EXDEV) and every later build replayed that failure.
    The staged files are copied into a staging tree in work_dir(out) and journaled there before the old journal
    and tree go; an interruption before the old journal is deleted only repeats the copy (the new journal is
    applied after), and the copy left over is a stale tree of tinygen's files."""
    staging = _staging_dir(out)
    old = where / journal["staging"]
    _write_tree(staging, {p.relative_to(old).as_posix(): p.read_bytes() for p in sorted(old.rglob("*"))
                          if p.is_file() and not p.is_symlink()})
    _write_journal(out, {**journal, "staging": staging.name})
    _journal_path(out, where).unlink()
    _fsync_dir(where)
    shutil.rmtree(old, ignore_errors=True)  # _recover applies the new journal next


def _apply_in_place(out: Path, journal: dict) -> None:
    """Step 3 above; idempotent."""
    staging = work_dir(out) / journal["staging"]
    touched = {out}
    for old_rel, new_rel in journal["carried"]:
        if os.path.lexists(out / old_rel) and not os.path.lexists(out / new_rel):
            _move(out / old_rel, out / new_rel)
        touched.add((out / new_rel).parent)
    for rel, digest in journal["dropped"].items():
        if _holds(out / rel, digest):
            (out / rel).unlink()
        touched.add((out / rel).parent)
    kept = {p for rel in journal["placed"] for p in Path(rel).parents}
    emptied = {p for rel in journal["dropped"] for p in Path(rel).parents[:-1]} - kept
    for rel_dir in sorted(emptied, key=lambda p: len(p.parts), reverse=True):
        try:
            (out / rel_dir).rmdir()
        except OSError:
            pass  # not empty: it holds a user's entry, which keeps it
    for rel in journal["placed"]:
        src, dst = staging / rel, out / rel
        if not os.path.lexists(src):
            continue  # placed before an interruption
        if os.path.lexists(dst) and not _holds(dst, journal["replaced"].get(rel)):
            raise TinygenError(f"{dst} changed while tinygen was updating {out}",
                               f"move it out of {out}, then build again: the update resumes")
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
        touched.add(dst.parent)
    for d in sorted(touched, key=lambda p: len(p.parts), reverse=True):
        if d.is_dir():
            _fsync_dir(d)


def _finish_in_place(out: Path, journal: dict) -> None:
    shutil.rmtree(work_dir(out) / journal["staging"], ignore_errors=True)  # every file in it has been placed
    _journal_path(out).unlink()
    _fsync_dir(work_dir(out))


# ---- the whole write ----

def _create(out: Path, files: dict[str, bytes], manifest: bytes) -> None:
    """A new or empty out: written complete beside it, then renamed (or exchanged with the empty directory)."""
    staging = _staging_dir(out)
    try:
        _write_tree(staging, {MANIFEST: manifest, **files})
        if not out.exists():
            staging.rename(out)
        elif _exchange(out, staging):
            staging.rmdir()  # the empty directory that was out
        else:
            out.rmdir()
            staging.rename(out)
        _fsync_dir(out.parent)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _write_locked(files: dict[str, bytes], out: Path, manifest: bytes, force: bool, shown: Path) -> WriteResult:
    """write_project under the lock; shown: out as the user gave it, for messages."""
    result = WriteResult(shown)
    in_place = _holds_cwd(out) or work_dir(out) == out  # nowhere to stage but inside out: update it in place
    if not in_place and (not out.exists() or not any(out.iterdir())):
        _create(out, files, manifest)
        result.written = sorted(files)
        return result

    previous = _read_manifest(out)
    ours: dict[str, str] = {}  # tinygen's files of the earlier build, unchanged since → their sha256
    users = []
    for rel in _existing(out):
        path = out / rel
        digest = _sha256(path.read_bytes()) if rel in previous and path.is_file() and not path.is_symlink() else None
        if digest in previous.get(rel, ()):
            ours[rel] = digest
        else:
            users.append(rel)
    if users and not force:
        raise TinygenError(
            f"{shown} holds files tinygen did not write (or that changed since it wrote them): {_some(users)}",
            "choose a new or empty directory, or pass --force: tinygen then keeps those files and renames any "
            f"that sit where it writes to <name>{BACKUP_SUFFIX}")

    carried, dropped = _plan_carries(out, files, set(ours))
    result.backed_up = {old: new for old, new in carried if old != new}
    result.removed = sorted(dropped)
    same = frozenset(rel for rel, data in files.items() if ours.get(rel) == _sha256(data))
    result.unchanged = sorted(same)
    result.written = sorted(set(files) - same)
    old_manifest = out / MANIFEST
    if not result.written and not result.removed and not result.backed_up and old_manifest.is_file() \
            and not old_manifest.is_symlink() and old_manifest.read_bytes() == manifest:
        return result  # the project is already exactly this: leave every inode and mtime alone
    if in_place:
        _update_in_place(out, files, manifest, result.written, carried, ours)
        return result

    staging = _staging_dir(out)
    try:
        _write_tree(staging, {MANIFEST: manifest, **files}, reuse=out, same=same)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)  # nothing carried yet: only tinygen's new files
        raise
    _switch(out, staging, carried)
    return result


def write_project(files: dict[str, bytes], out: Path, force: bool = False) -> WriteResult:
    """Write files (relative POSIX path → content) as the project in out, while holding out's lock: the result
    describes what is on disk when the lock is released."""
    if any(rel.split("/")[0] in TOOL_DIRS or rel == MANIFEST for rel in files):
        raise AssertionError("tinygen never writes into .pio/, .vscode/ or over its manifest")
    target = resolve_target(Path(out))
    target.parent.mkdir(parents=True, exist_ok=True)
    manifest = _manifest_text({rel: {_sha256(data)} for rel, data in files.items()})
    with target_lock(target):
        _recover(target)  # an earlier build of out that was killed: back to its old or its new project first
        result = _write_locked(files, target, manifest, force, shown=Path(out))
        if (target / MANIFEST).read_bytes() != manifest:
            raise AssertionError(f"{target} does not hold the project just written")
    return result
