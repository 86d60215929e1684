"""MAX_POOL_2D (int8) → tg_max_pool_s8; validated and parametrized as AVERAGE_POOL_2D (average_pool2d.py)."""
from __future__ import annotations

from .average_pool2d import lower  # noqa: F401
