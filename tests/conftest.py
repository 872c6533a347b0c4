"""Shared test settings: every test gets its own var/ tree and a test HMAC key; nothing touches ./var."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
for path in (ROOT / "include", ROOT):
    if str(path) not in sys.path:
        sys.path.insert(0, str(path))

os.environ.setdefault("PROJECT_ROOT", str(ROOT))

from tests.pipeline_fixture import alert_sinks, pipeline, published_warehouse  # noqa: E402,F401  (session fixtures)


@pytest.fixture
def var_dir(tmp_path, monkeypatch) -> Path:
    """An isolated var/ tree wired through the CCWH_* settings."""
    var = tmp_path / "var"
    monkeypatch.setenv("CCWH_VAR_DIR", str(var))
    return var
