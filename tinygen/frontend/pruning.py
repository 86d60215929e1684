"""Keras models still carrying TensorFlow Model Optimization's pruning wrappers, stripped before conversion.

`prune_low_magnitude` wraps each prunable layer of a tf_keras (Keras 2) model in a PruneLowMagnitude layer that
keeps a mask beside the kernel; the converter cannot take those wrappers. `strip_pruning` puts the plain layers
back, their kernels holding the pruned weights, which is what the user trained.
"""
from __future__ import annotations

import os
from pathlib import Path

from ..errors import TinygenError

WRAPPER = "PruneLowMagnitude"
INSTALL = 'pip install -e ".[prune]"'


def has_wrappers(model) -> bool:
    """Whether any layer (nested models included) is a pruning wrapper."""
    stack = [model]
    while stack:
        layer = stack.pop()
        if type(layer).__name__ == WRAPPER:
            return True
        stack.extend(getattr(layer, "layers", []) or [])
    return False


def mentions_wrappers(error: Exception) -> bool:
    """Whether Keras failed to load a file because of the pruning wrappers' unknown layer class."""
    return WRAPPER in str(error)


def _tfmot():
    """tensorflow_model_optimization, imported without switching this process's tf.keras to Keras 2: its import
    sets TF_USE_LEGACY_KERAS=1, which would turn every later first use of tf.keras into tf_keras."""
    import tensorflow as tf

    _ = tf.keras.layers  # resolved now, as Keras 3, before the import below can change what it resolves to
    before = os.environ.get("TF_USE_LEGACY_KERAS")
    try:
        import tensorflow_model_optimization as tfmot
    except ImportError as e:
        raise TinygenError(f"the model carries pruning wrappers ({WRAPPER}); stripping them needs TensorFlow Model "
                           f"Optimization ({e})", INSTALL) from None
    finally:
        if before is None:
            os.environ.pop("TF_USE_LEGACY_KERAS", None)
        else:
            os.environ["TF_USE_LEGACY_KERAS"] = before
    return tfmot


def strip(model):
    """The model without its pruning wrappers (the pruned weights kept)."""
    return _tfmot().sparsity.keras.strip_pruning(model)


def load_stripped(path: Path):
    """A Keras 2 file saved with its pruning wrappers, loaded (tf_keras, in TFMOT's scope) and stripped."""
    tfmot = _tfmot()
    import tf_keras

    with tfmot.sparsity.keras.prune_scope():
        model = tf_keras.models.load_model(path, compile=False)
    return tfmot.sparsity.keras.strip_pruning(model)
