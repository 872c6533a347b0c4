"""CRM exports the way Excel and people deliver them: what loads, what is quarantined, and where to look.

Expected counts and reasons are written by hand from the fixture rows, not computed by the code under test.
Row numbers are the CSV's own (1-based physical rows, title and header included), the numbers a person
sees when opening the file.
"""

from __future__ import annotations

import json

import duckdb
import pytest
from cc_warehouse.load.raw import load_files
from cc_warehouse.privacy.tokens import TokenKey
from cc_warehouse.sources.extract import extract_crm_inbox

KEY = TokenKey(1, b"csv-truth-secret-of-at-least-32-bytes")
HEADER = "会员编号,手机号,姓名,会员等级,积分,身份证号,备注"


def drop(tmp_path, name, data: bytes):
    folder = tmp_path / "inbox" / "crm"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(data)
    return folder / name


def take(tmp_path, rejected=None):
    return extract_crm_inbox(
        tmp_path / "inbox", key=KEY, run_id="r1", landing_dir=tmp_path / "landing", rejected=rejected
    )


def test_excel_damage_short_long_and_cut_rows_are_quarantined_with_csv_row_numbers(tmp_path):
    rows = [
        "会员数据导出（2026年11月）,,,,,,",  # row 1: title
        HEADER,  # row 2
        "M0001,13800138000,张三,金卡,10,110101199003071233,",  # row 3: good
        "M0002,13900139000,李四,普通,5,1.10101E+17,",  # row 4: Excel turned the id into 1.1E+17
        "M0003,13700137000,王五,普通,5,,,多出来的一格",  # row 5: one cell too many
        "M0004,13600136000,赵六",  # row 6: cells missing
        "Ｍ０００５,１３５００１３５０００,钱七,银卡,７,,",  # row 7: full-width (IME) digits
        "M0006,1.35001E+10,孙八,普通,1,,",  # row 8: phone in scientific notation
        "M0007,13300133000,周九,金卡,3,1101011990",  # row 9: the file stops here (cut)
    ]
    drop(tmp_path, "members_20261115.csv", "\r\n".join(rows).encode("utf-8"))
    [landed] = take(tmp_path)
    [result] = load_files([landed], tmp_path / "raw.duckdb", "r1")
    assert (result.received, result.loaded, result.quarantined) == (7, 2, 5)
    with duckdb.connect(str(tmp_path / "raw.duckdb"), read_only=True) as con:
        loaded = con.execute("select record_key, _line_number from crm_members order by 1").fetchall()
        quarantined = con.execute("select _line_number, reason, record_excerpt from quarantine order by 1").fetchall()
        tokens = con.execute("select record->>'mobile_token' from crm_members order by record_key").fetchall()
    assert loaded == [("M0001", 3), ("M0005", 7)]
    assert [(n, reason) for n, reason, _ in quarantined] == [
        (4, "excel_scientific_notation:id_number"),
        (5, "long_row:8_cells_for_7_headers"),
        (6, "short_row:3_cells_for_7_headers"),
        (8, "excel_scientific_notation:mobile"),
        (9, "truncated_last_row:6_cells_for_7_headers"),
    ]
    assert all("members_20261115.csv" in excerpt for _, _, excerpt in quarantined)
    dump = " ".join(e for _, _, e in quarantined)
    assert "李四" not in dump and "13900139000" not in dump and "1.10101E+17" not in dump
    # the full-width phone tokenises like its ASCII spelling, so it still joins across sources
    drop(tmp_path / "b", "members_20261116.csv", f"{HEADER}\nM0005,13500135000,钱七,银卡,7,,\n".encode())
    [ascii_file] = take(tmp_path / "b")
    assert tokens[1][0] == json.loads(ascii_file.path.read_text(encoding="utf-8"))["mobile_token"]


def test_truncated_utf8_export_is_named_with_its_byte_offset_not_called_gb18030(tmp_path):
    data = f"{HEADER}\nM0001,13800138000,张三,金卡,10,,\n".encode()
    cut = data[: data.index("张".encode()) + 1]  # stops inside a three-byte character
    drop(tmp_path, "members_20261115.csv", cut)
    rejected = []
    assert take(tmp_path, rejected) == []
    [(name, reason)] = rejected
    assert name == "members_20261115.csv"
    assert "truncated" in reason and f"byte {len(cut) - 1}" in reason and "gb18030" not in reason


@pytest.mark.parametrize(
    "data, expected",
    [
        (b"", "empty file"),
        ("会员数据导出\n".encode(), "no header row"),
        (f"{HEADER},微信昵称\nM1,13800138000,a,b,1,,,c\n".encode(), "微信昵称"),
    ],
)
def test_a_bad_file_is_rejected_whole_naming_it_and_the_good_ones_still_land(tmp_path, data, expected):
    drop(tmp_path, "members_20261114.csv", data)
    drop(tmp_path, "members_20261115.csv", f"{HEADER}\nM0001,13800138000,张三,金卡,10,,\n".encode())
    rejected = []
    [landed] = take(tmp_path, rejected)
    assert landed.rows == 1 and "members_20261115" in landed.partition
    [(name, reason)] = rejected
    assert name == "members_20261114.csv" and expected in reason
    kept = tmp_path / "inbox" / "crm" / "rejected" / "members_20261114.csv"
    assert kept.read_bytes() == data  # kept for a person to fix and drop again, with the reason beside it
    assert expected in (kept.parent / "members_20261114.csv.reason.txt").read_text(encoding="utf-8")
    assert not list((tmp_path / "inbox" / "crm").glob("*.csv"))


def test_without_a_rejected_list_a_bad_file_raises_naming_it(tmp_path):
    drop(tmp_path, "members_20261114.csv", b"")
    with pytest.raises(ValueError, match="members_20261114.csv: empty file"):
        take(tmp_path)


def test_a_file_stranded_in_processing_by_a_crash_is_taken_next_run(tmp_path):
    """A kill after the move into the processing area (before landing) must not strand the file."""
    processing = tmp_path / "inbox" / "crm" / ".processing"
    processing.mkdir(parents=True)
    (processing / "members_20261115.csv").write_bytes(f"{HEADER}\nM0001,13800138000,张三,金卡,10,,\n".encode())
    [landed] = take(tmp_path)
    assert landed.rows == 1 and not list(processing.iterdir())
