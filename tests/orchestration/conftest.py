"""A private var/ directory, key and (unreachable) API settings for calling the DAGs' task callables."""

from __future__ import annotations

import pytest


@pytest.fixture
def var(tmp_path, monkeypatch):
    monkeypatch.setenv("CCWH_VAR_DIR", str(tmp_path))
    monkeypatch.setenv("CCWH_HMAC_KEY", "fail-fast-test-key-of-at-least-32-bytes")
    monkeypatch.setenv("CCWH_API_BASE_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("CCWH_API_TOKEN", "t")
    (tmp_path / "inbox" / "crm").mkdir(parents=True)
    return tmp_path
