"""tinygen: int8 TFLite models → standalone C99 for microcontrollers.

Python API (tinygen/api.py): tinygen.compile(model, board=..., calibration=...), tinygen.quantize(...),
tinygen.emulate(model, ...). TensorFlow is imported only when a Keras model is given.
"""
import types as _types

__version__ = "0.1.0"

from . import emulate as _emulate_module  # noqa: E402 - needs __version__ (codegen imports it)


class _CallableModule(_types.ModuleType):
    """`tinygen.emulate` is both the emulator module (tinygen.emulate.run_host, ...) and the API function."""

    def __call__(self, *args, **kwargs):
        from .api import emulate

        return emulate(*args, **kwargs)


_emulate_module.__class__ = _CallableModule


def __getattr__(name):  # the rest of the API loads on first use
    if name in ("compile", "quantize", "Quantized", "Build"):
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'tinygen' has no attribute '{name}'")
