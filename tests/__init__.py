"""tinygen's test suite: a package so that test modules import shared code as `tests.support...`."""
