"""tinygen: int8 TFLite models → standalone C99 for microcontrollers.

Python API (tinygen/api.py): tinygen.compile(model, board=..., calibration=...), tinygen.quantize(...),
tinygen.emulate(model, ...). TensorFlow is imported only when a Keras model is given.
"""
__version__ = "0.1.0"

_API = ("compile", "quantize", "emulate", "Quantized", "Build")


def __getattr__(name):  # the API loads on first use, keeping `import tinygen` light
    if name in _API:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'tinygen' has no attribute '{name}'")
