"""tinygen: int8 TFLite models → standalone C99 for microcontrollers."""
__version__ = "0.1.0"
