"""The gate refuses a token column that mixes key versions, unless a documented rotation is in progress."""

from __future__ import annotations

import duckdb
import pytest
from cc_warehouse.quality.pii_scan import flag_checks, flag_frame, register_detectors

V1 = "tk1_" + "0123456789abcdef" * 2
V2 = "tk2_" + "fedcba9876543210" * 2


def _violations(rows: list[tuple]) -> dict[str, int]:
    con = duckdb.connect()
    register_detectors(con)
    con.execute("create table main.t (buyer_token varchar, remark_mobile_tokens varchar[])")
    con.executemany("insert into main.t values (?, ?)", rows)
    checks = flag_checks(con.sql("select column_name, data_type from information_schema.columns").fetchall())
    frame = flag_frame(con, "main", "t", checks)
    return {check.flag: int(frame[check.flag].sum()) for check in checks}


def test_one_version_passes(monkeypatch):
    monkeypatch.delenv("CCWH_KEY_ROTATION_IN_PROGRESS", raising=False)
    assert set(_violations([(V1, [V1]), (V1, [V1, V1]), (None, None)]).values()) == {0}


def test_mixed_versions_fail(monkeypatch):
    monkeypatch.delenv("CCWH_KEY_ROTATION_IN_PROGRESS", raising=False)
    found = _violations([(V1, [V1]), (V2, [V1, V2])])
    assert found["buyer_token__token_version_violation"] == 2
    assert found["remark_mobile_tokens__token_version_violation"] == 2


def test_mixed_versions_allowed_during_a_declared_rotation(monkeypatch):
    monkeypatch.setenv("CCWH_KEY_ROTATION_IN_PROGRESS", "1")
    found = _violations([(V1, [V1]), (V2, [V1, V2])])
    assert not any("token_version" in flag for flag in found)
    assert set(found.values()) == {0}


@pytest.mark.parametrize("flag", ["0", ""])
def test_rotation_flag_off_values(monkeypatch, flag):
    monkeypatch.setenv("CCWH_KEY_ROTATION_IN_PROGRESS", flag)
    assert _violations([(V1, None), (V2, None)])["buyer_token__token_version_violation"] == 2
