"""The compiler itself: planner, in-place aliasing, error messages, fuzzing, C hygiene, the CMSIS-NN backend."""
