"""The demo's HMAC key lives outside the data folders and is strong enough for TokenKey."""

from __future__ import annotations

import pytest
from cc_warehouse.config import Settings
from cc_warehouse.privacy.tokens import TokenKey
from cc_warehouse_demo.localenv import ensure_key


def test_demo_key_outside_var_and_stable(tmp_path, monkeypatch):
    monkeypatch.delenv("CCWH_KEY_DIR", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    cfg = Settings(root=tmp_path, var=(tmp_path / "var").resolve())
    path = cfg.hmac_key_file
    assert cfg.var not in path.parents
    secret = ensure_key(cfg)
    assert ensure_key(cfg) == secret
    assert TokenKey(1, secret.encode())  # long enough
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert not list((tmp_path / "var").rglob("*.key")) if (tmp_path / "var").exists() else True


def test_key_dir_inside_var_is_refused(tmp_path, monkeypatch):
    cfg = Settings(root=tmp_path, var=(tmp_path / "var").resolve())
    monkeypatch.setenv("CCWH_KEY_DIR", str(tmp_path / "var" / "secrets"))
    with pytest.raises(ValueError, match="outside the data folder"):
        _ = cfg.hmac_key_file
