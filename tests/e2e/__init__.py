"""End to end: MLPerf Tiny models, QEMU firmware, the examples, Keras models in."""
