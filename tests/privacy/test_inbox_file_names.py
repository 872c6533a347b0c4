"""Inbox file names are data: a CRM export named after a person's phone is rejected, and the name reaches
no log, receipt, landing file or error message."""

from __future__ import annotations

import logging

import pytest
from cc_warehouse.privacy.tokens import TokenKey
from cc_warehouse.sources.extract import InboxFileNameError, extract_crm_inbox

KEY = TokenKey(1, b"inbox-test-secret-at-least-32-bytes")
CSV = "会员编号,手机号,姓名,会员等级,积分,身份证号,备注\nM0001,13800138000,张三,金卡,1,,\n"


@pytest.mark.parametrize(
    "name",
    [
        "会员_13800138999.csv",
        "members 138 0013 8999.csv",
        "vip_110105198805120018.csv",
        "members_一三八零零一三八九九九.csv",
    ],
)
def test_personal_data_in_a_file_name_is_rejected(tmp_path, caplog, name):
    folder = tmp_path / "inbox" / "crm"
    folder.mkdir(parents=True)
    (folder / name).write_text(CSV, encoding="utf-8")
    (folder / "members_20261115.csv").write_text(CSV, encoding="utf-8")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(InboxFileNameError, match="rename") as error:
        extract_crm_inbox(tmp_path / "inbox", key=KEY, run_id="r1", landing_dir=tmp_path / "landing")
    stem = name.rsplit(".", 1)[0]
    assert stem not in str(error.value) and stem not in caplog.text
    assert (folder / name).exists()  # left for the operator to rename
    assert not (folder / "members_20261115.csv").exists()  # the well-named file still landed
    for path in (tmp_path / "landing").rglob("*"):
        assert stem not in path.name
        if path.is_file():
            assert stem not in path.read_text(encoding="utf-8")
