import hashlib
import json
import os
from datetime import datetime, timedelta, timezone

import pytest
from cc_warehouse.privacy.tokens import TokenKey
from cc_warehouse.sources.extract import MalformedExport, extract_crm_inbox

KEY = TokenKey(1, b"test-secret-not-real-32-bytes-long")
HEADER = "会员编号,手机号,姓名,会员等级,积分,身份证号,备注"
ROWS = ["M0001,13800138000,张三,金卡,１２３４,110101199003071233,电话13912345678", "M0002,13900139000,李四,普通,56,,"]


def drop(inbox, name, text, encoding):
    folder = inbox / "crm"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(text.encode(encoding))
    return folder / name


def run(tmp_path):
    return extract_crm_inbox(tmp_path / "inbox", key=KEY, run_id="r1", landing_dir=tmp_path / "landing")


def records(landed):
    return [json.loads(line) for line in landed.path.read_text(encoding="utf-8").splitlines()]


@pytest.mark.parametrize("encoding, title", [("gbk", True), ("utf-8-sig", False), ("utf-8", True), ("gb18030", False)])
def test_member_export_is_decoded_tokenised_and_moved(tmp_path, encoding, title):
    lines = (["会员数据导出（2026年11月）,,,"] if title else []) + [HEADER, *ROWS, ""]
    inbox_file = drop(tmp_path / "inbox", "members_20261115.csv", "\r\n".join(lines), encoding)
    original = inbox_file.read_bytes()
    [landed] = run(tmp_path)
    assert landed.path.parent.name == "dt=2026-11-15" and landed.rows == 2
    first, second = records(landed)
    assert first["member_id"] == "M0001" and first["tier"] == "金卡" and first["points"] == "1234"
    assert first["mobile_token"].startswith("tk1_") and first["id_token"].startswith("tk1_")
    assert first["remark"] == "电话[手机号]" and "name" not in first
    assert second["id_token"] is None
    text = landed.path.read_text(encoding="utf-8")
    assert "13800138000" not in text and "张三" not in text and "110101199003071233" not in text
    assert not inbox_file.exists()
    # No clear-text copy of the export is kept anywhere: only a receipt without personal data.
    assert list((tmp_path / "landing").rglob("*.csv")) == []
    [receipt] = (tmp_path / "landing" / "crm" / "members_received").glob("*.json")
    assert json.loads(receipt.read_text(encoding="utf-8"))["sha256"] == hashlib.sha256(original).hexdigest()
    assert "13800138000" not in receipt.read_text(encoding="utf-8")
    assert landed.partition == f"crm/members/{receipt.stem}" and receipt.stem.startswith("members_20261115-")


def test_same_file_delivered_twice_is_taken_once(tmp_path):
    text = "\n".join([HEADER, *ROWS])
    drop(tmp_path / "inbox", "members_20261115.csv", text, "gbk")
    assert len(run(tmp_path)) == 1
    again = drop(tmp_path / "inbox", "members_20261115.csv", text, "gbk")
    assert run(tmp_path) == []
    assert not again.exists()
    assert len(list((tmp_path / "landing").rglob("*.jsonl"))) == 1


def test_file_replaced_under_the_same_name_lands_as_a_new_version(tmp_path):
    drop(tmp_path / "inbox", "members_20261115.csv", "\n".join([HEADER, *ROWS]), "gbk")
    [first] = run(tmp_path)
    drop(tmp_path / "inbox", "members_20261115.csv", "\n".join([HEADER, ROWS[0]]), "gbk")
    [second] = run(tmp_path)
    assert second.partition != first.partition and second.rows == 1
    assert first.path.exists() and second.path.exists()
    assert len(list((tmp_path / "landing" / "crm" / "members_received").glob("*.json"))) == 2


def test_unknown_header_is_rejected_and_the_file_kept_aside(tmp_path):
    inbox_file = drop(
        tmp_path / "inbox", "members_20261115.csv", "\n".join([HEADER + ",微信昵称", ROWS[0] + ",小张"]), "utf-8-sig"
    )
    with pytest.raises(MalformedExport, match="members_20261115.csv.*微信昵称"):
        run(tmp_path)
    assert not inbox_file.exists() and (inbox_file.parent / "rejected" / inbox_file.name).exists()
    assert not list((tmp_path / "landing").rglob("*.jsonl"))


def test_drop_date_falls_back_to_mtime(tmp_path):
    path = drop(tmp_path / "inbox", "members.csv", "\n".join([HEADER, *ROWS]), "utf-8")
    moment = datetime(2026, 11, 3, 23, 30, tzinfo=timezone(timedelta(hours=8)))
    os.utime(path, (moment.timestamp(), moment.timestamp()))
    [landed] = run(tmp_path)
    assert landed.path.parent.name == "dt=2026-11-03"
    assert landed.interval_end > moment  # the receipt time, not the file time


def test_a_re_export_is_ordered_by_receipt_not_by_its_file_time(tmp_path):
    """A corrected re-export whose file time is older than the first delivery's must still be the newer."""
    first = drop(tmp_path / "inbox", "members_20261115.csv", "\n".join([HEADER, *ROWS]), "gbk")
    os.utime(first, (datetime(2026, 11, 15, 22, tzinfo=timezone(timedelta(hours=8))).timestamp(),) * 2)
    [old] = run(tmp_path)
    again = drop(tmp_path / "inbox", "members_20261115.csv", "\n".join([HEADER, ROWS[0]]), "gbk")
    os.utime(again, (datetime(2026, 11, 15, 9, tzinfo=timezone(timedelta(hours=8))).timestamp(),) * 2)
    [new] = run(tmp_path)
    assert new.interval_end > old.interval_end
