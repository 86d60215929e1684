"""Shared by every test: TensorFlow's C++ logging quieted before any test module can import TensorFlow.

Shared code lives in tests/support/ and is imported as a package (`from tests.support.helpers import ...`):
tests/ and its folders are packages, so pytest's default import mode puts the repository root on the path.
"""
import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
