"""Test tooling shared by the tests and bench/: the schema-level model builder, the fuzzing harness, helpers."""
