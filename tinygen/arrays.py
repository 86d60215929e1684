"""Arrays the user gives in files (--input, --calibration, --validation): read safely, bounded, numeric.

A file may be empty, truncated, pickled, hold object or string values, or be gigabytes large: each is a
one-line refusal here, never an exception from numpy. A .npy file is opened memory-mapped, so its size is
checked before its data is read.
"""
from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np

from .errors import TinygenError
from .limits import MAX_BATCH_BYTES, MAX_SAMPLES

HOW_TO_SAVE = "save the samples with numpy.save (.npy) or numpy.savez (.npz)"


def load_array(path, what: str = "calibration") -> np.ndarray:
    """A .npy array, or from a .npz the array named 'x' (else its first array): numeric, at most
    MAX_BATCH_BYTES, at most MAX_SAMPLES samples along its first axis."""
    def pick(archive):
        if not archive.files:
            raise TinygenError(f"{what} data {path} holds no arrays",
                               "save the samples with numpy.savez(path, x=samples)")
        return archive["x"] if "x" in archive.files else archive[archive.files[0]]

    return checked(load(path, what, pick), f"{what} data {path}")


def load(path, what: str, from_archive):
    """np.load of a user's file with every failure a one-line refusal: a .npy's array (memory-mapped, not yet
    checked), or from a .npz what `from_archive(archive)` returns while the archive is open."""
    path = Path(path)
    if not path.is_file():
        raise TinygenError(f"{what} data {path}: no such file", HOW_TO_SAVE)
    try:
        data = np.load(path, allow_pickle=False, mmap_mode="r")
        if isinstance(data, np.lib.npyio.NpzFile):
            with data:
                return from_archive(data)
        return data
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as e:
        reason = str(e).splitlines()[0][:200] if str(e) else "empty or truncated"
        raise TinygenError(f"cannot read {what} data {path} ({reason})", HOW_TO_SAVE) from None


def checked(data: np.ndarray, what: str) -> np.ndarray:
    """`data` if it is a numeric array within the limits, else a TinygenError naming `what`."""
    if data.dtype.kind not in "biuf":
        raise TinygenError(f"{what} holds {data.dtype} values, not numbers", "save a numeric array (float32 or int8)")
    if data.nbytes > MAX_BATCH_BYTES:
        raise TinygenError(f"{what} holds {data.nbytes:,} bytes; tinygen reads up to {MAX_BATCH_BYTES:,}",
                           "give fewer samples")
    if data.ndim and len(data) > MAX_SAMPLES:
        raise TinygenError(f"{what} holds {len(data):,} samples; tinygen runs up to {MAX_SAMPLES:,} at once",
                           "give fewer samples")
    return np.array(data)  # a copy: nothing stays mapped from the user's file
