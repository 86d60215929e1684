"""The sizes tinygen accepts: every number of a model that reaches C is checked against these (validate.py)."""

MAX_RANK = 6  # TFLite's RuntimeShape limit
MAX_ELEMENTS = 1 << 24
MAX_WINDOW = 1 << 24
MAX_ACTIVATION_BYTES = 1 << 30  # all activations together: bounds the planned arena
# Microcontroller models have tens to hundreds of operators; parts of the compiler are quadratic in their
# number, so a crafted file with a million operators would take hours.
MAX_OPERATORS = 4096
MAX_TENSORS = 4 * MAX_OPERATORS
INT32_MAX = (1 << 31) - 1
# Emulator batches and calibration sets: more samples than any check needs, bounded so that a typo
# (--count 1000000000) is refused instead of exhausting memory.
MAX_SAMPLES = 100_000
MAX_BATCH_BYTES = 1 << 30  # one array read from a file
