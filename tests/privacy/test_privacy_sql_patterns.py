"""SQL_PATTERNS in DuckDB (RE2) are a superset filter of find_pii on ASCII and full-width text."""

from __future__ import annotations

import duckdb
import pytest
from cc_warehouse.privacy.detectors import SQL_ANY_PII, SQL_PATTERNS, find_pii

from .hostile import load_corpus
from .samples import CARD

CASES = [
    "电话13812345678谢谢",
    "电话１３８１２３４５６７８谢谢",
    "电话１３８－１２３４－５６７８",
    "call +86 138 1234 5678",
    "（＋８６）１３８　１２３４　５６７８",
    "0086-138-1234-5678",
    "8613812345678",
    "138 1234 5678",
    "138-1234-5678",
    "加v13812345678",
    "身份证11010519491231002X",
    "身份证１１０１０５１９４９１２３１００２Ｘ",
    "110101 19900307 1233",
    "老身份证110101900307123",
    "邮箱Foo.Bar@qq.com谢谢",
    "邮箱ｆｏｏ＠ｑｑ．ｃｏｍ",
    f"卡号{CARD}",
    "卡 4111-1111-1111-1111",
    "订单4781320123456789012已发货",
    "tk1_0123456789abcdef0123456789abcdef",
    "tk1_13812345678abcdef0123456789abcdef",
    "110101199003071234",
    "没有联系方式",
    "金额12345678901元",
    "加微信wang_xm1990",
    "扣扣 24681357",
    "订单12345已发货",
]


@pytest.fixture(scope="module")
def matches() -> dict[str, dict[str, bool]]:
    con = duckdb.connect()
    con.execute("create table cases (text varchar)")
    con.executemany("insert into cases values (?)", [[case] for case in CASES])
    columns = ", ".join(f"regexp_matches(text, ${i + 1}) as {kind}" for i, kind in enumerate(SQL_PATTERNS))
    rows = con.execute(f"select text, {columns} from cases", list(SQL_PATTERNS.values())).fetchall()
    return {row[0]: dict(zip(SQL_PATTERNS, row[1:], strict=True)) for row in rows}


@pytest.mark.parametrize("case", CASES)
def test_sql_patterns_are_a_superset_of_find_pii(matches, case):
    for finding in find_pii(case):
        assert matches[case][finding.kind], f"{finding.kind} found by find_pii but not by SQL in {case!r}"


def test_every_kind_is_exercised_and_sql_pattern_can_be_false(matches):
    found_kinds = {f.kind for case in CASES for f in find_pii(case)}
    assert found_kinds == set(SQL_PATTERNS)
    assert not any(matches["没有联系方式"].values())
    assert not matches["订单12345已发货"]["mobile"]
    assert not matches["订单12345已发货"]["id_number"]


def test_sql_prefilter_keeps_every_hostile_corpus_text():
    """NBSP, thin space, circled and Chinese-numeral digits, invisibles: the RE2 pre-filter passes every
    corpus text on which find_pii finds anything, so the precise check is never skipped."""
    con = duckdb.connect()
    texts = [case.text for case in load_corpus()]
    con.execute("create table corpus (text varchar)")
    con.executemany("insert into corpus values (?)", [[text] for text in texts])
    kept = dict(con.execute("select text, regexp_matches(text, ?) from corpus", [SQL_ANY_PII]).fetchall())
    missed = [text for text in texts if find_pii(text) and not kept[text]]
    assert not missed


def test_any_pattern_combines_all():
    con = duckdb.connect()
    assert con.execute("select regexp_matches('电话13812345678', ?)", [SQL_ANY_PII]).fetchone()[0]
    assert not con.execute("select regexp_matches('好评', ?)", [SQL_ANY_PII]).fetchone()[0]
