"""Fixtures shared by every test folder: where rendered sample broadcasts are cached."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def broadcast_cache() -> Path:
    """Rendered sample broadcasts, reused across runs (a fresh clone renders them once)."""
    root = Path(os.environ.get("HIGHLIGHT_BOT_CACHE", REPO_ROOT / ".cache")) / "broadcasts"
    root.mkdir(parents=True, exist_ok=True)
    return root
