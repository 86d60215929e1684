"""docs/operators.md, the operator coverage table, is bench/coverage.py's output from the registry: it cannot
go stale, and it lists every TFLM builtin once."""
from bench import coverage

from tinygen.ops import REGISTRY


def test_checked_in_table_is_the_generated_one():
    assert (coverage.ROOT / "docs" / "operators.md").read_text() == coverage.table(), \
        "docs/operators.md is stale: run python -m bench.coverage"


def test_every_builtin_has_one_row_and_every_registered_kind_is_a_builtin():
    rows = [line.split(" | ")[0].lstrip("| ") for line in coverage.table().splitlines()
            if line.startswith("| ") and not line.startswith("| operator")]
    assert rows == list(coverage.TFLM_BUILTINS) and len(set(rows)) == len(rows) == 100
    assert set(REGISTRY) <= set(coverage.TFLM_BUILTINS)


def test_compiled_operators_name_their_types_and_a_test():
    for kind, definition in REGISTRY.items():
        if definition.lower is not None:
            assert definition.types, kind
            assert coverage.proving_tests(kind, definition), kind
        else:
            assert definition.types == () and definition.fold is not None, kind
