"""Detector table tests: what find_pii must and must not report."""

from __future__ import annotations

import pytest
from cc_warehouse.privacy.detectors import (
    find_pii,
    is_valid_resident_id,
    luhn_ok,
    normalise_phone,
)
from cc_warehouse.privacy.redact import redact

from .samples import CARD, resident_id


@pytest.mark.parametrize(
    "value",
    [
        "11010519491231002X",
        "11010519491231002x",
        "110101199003071233",
        "110101900307123",
        resident_id("44030620150601123"),
    ],
)
def test_valid_resident_ids(value):
    assert is_valid_resident_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "110101199003071234",  # wrong check digit
        "110101199002301235",  # 30 February
        "110101219003071233",  # year 2190
        "010101199003071233",  # area code cannot start with 0
        "11010119900307123",  # 17 digits
        "110101901307123",  # legacy with month 13
        "",
    ],
)
def test_invalid_resident_ids(value):
    assert not is_valid_resident_id(value)


@pytest.mark.parametrize(
    "value",
    [
        "13812345678",
        "+86 138 1234 5678",
        "0086-138-1234-5678",
        "8613812345678",
        "138-1234-5678",
        "(+86) 138 1234 5678",
        "１３８１２３４５６７８",
    ],
)
def test_normalise_phone_disguises(value):
    assert normalise_phone(value) == "13812345678"


@pytest.mark.parametrize("value", ["12812345678", "1381234567", "4781320123456789012", "abc", ""])
def test_normalise_phone_rejects(value):
    assert normalise_phone(value) is None


def test_luhn():
    assert luhn_ok(CARD)
    assert luhn_ok("4111 1111 1111 1111")
    assert not luhn_ok(CARD[:-1] + str((int(CARD[-1]) + 1) % 10))
    assert not luhn_ok("")
    assert not luhn_ok("4111-1111-abcd-1111")


def kinds(text):
    return [(f.kind, text[f.start : f.end]) for f in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("电话13812345678谢谢", [("mobile", "13812345678")]),
        ("电话１３８１２３４５６７８谢谢", [("mobile", "１３８１２３４５６７８")]),
        ("call +86 138 1234 5678 ok", [("mobile", "+86 138 1234 5678")]),
        ("0086-138-1234-5678", [("mobile", "0086-138-1234-5678")]),
        ("号码138 1234 5678。", [("mobile", "138 1234 5678")]),
        ("号码138-1234-5678", [("mobile", "138-1234-5678")]),
        ("加v13812345678", [("mobile", "13812345678")]),
        ("身份证11010519491231002X。", [("id_number", "11010519491231002X")]),
        ("ID:110101199003071233", [("id_number", "110101199003071233")]),
        ("邮箱Foo.Bar@qq.com谢谢", [("email", "Foo.Bar@qq.com")]),
        (f"卡号{CARD}", [("bank_card", CARD)]),
        ("卡 4111 1111 1111 1111 止", [("bank_card", "4111 1111 1111 1111")]),
        ("手机13812345678，邮箱a@b.cn", [("mobile", "13812345678"), ("email", "a@b.cn")]),
    ],
)
def test_find_pii_finds(text, expected):
    assert kinds(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "订单4781320123456789012已发货",  # 19-digit order id, not Luhn-valid
        "订单 47813201234567890121",  # longer digit run containing a mobile-looking part
        "tk1_0123456789abcdef0123456789abcdef",
        "token tk1_13812345678abcdef0123456789abcdef",  # phone-looking digits inside a token
        "tk2_" + "1" * 32,
        "笔记 64a1b2c3d4e5f613812345678abc",  # inside a hex note id
        "110101199003071234",  # bad check digit
        "金额 12345678901 元",  # 11 digits not starting 1[3-9]
        "4111 1111 1111 1112",  # fails Luhn
        "没有联系方式",
        "",
        "0A1B2C3D-E4F5-1385-2310-5671FD9DB99F",  # customs GUID: hyphenated groups read like a phone
        "live_7300000000000000007",  # WeCom channel code around a Luhn-valid 19-digit room id
        "note_110101199003071233",  # prefixed code around an ID-shaped id
    ],
)
def test_find_pii_ignores(text):
    assert find_pii(text) == []


def test_prefixed_codes_still_reveal_phones():
    """Only card/ID-length runs are exempt inside codes: a phone glued to a prefix is still found."""
    assert kinds("wx_13812345678") == [("mobile", "13812345678")]


def test_order_id_not_bank_card_unless_luhn_valid():
    order_id = "4781320123456789012"
    assert not luhn_ok(order_id)
    assert find_pii(f"订单{order_id}") == []
    # Text alone cannot tell a Luhn-valid order id from a card (documented limitation).
    assert kinds(f"订单{CARD}") == [("bank_card", CARD)]


def test_offsets_refer_to_original_text_after_nfkc():
    text = "ａｂ電話：１３８ １２３４ ５６７８"
    [finding] = find_pii(text)
    assert text[finding.start : finding.end] == "１３８ １２３４ ５６７８"


def test_redact_replaces_and_counts():
    text, counts = redact(f"电话13812345678, 邮箱a@b.cn, 身份证110101199003071233, 卡{CARD}, 再打13912345678")
    assert text == "电话[手机号], 邮箱[邮箱], 身份证[身份证号], 卡[银行卡], 再打[手机号]"
    assert counts == {"mobile": 2, "email": 1, "id_number": 1, "bank_card": 1}


def test_redact_none_and_clean():
    assert redact(None) == (None, {})
    assert redact("好用，回购") == ("好用，回购", {})


@pytest.mark.parametrize(
    ("column", "identifier"),
    [
        ("order_id", True),
        ("orderNo", True),
        ("itemId", True),
        ("product_id_str", True),
        ("returnTime", True),
        ("skuList__itemId", True),
        ("created_at", True),
        ("buyer_words", False),
        ("remark", False),
        ("channel_state", False),
        ("paid", False),
        ("content", False),
    ],
)
def test_identifier_columns(column, identifier):
    from cc_warehouse.privacy.detectors import is_identifier_column

    assert is_identifier_column(column) is identifier


# A pipe between digits: bare (``138|0013|8023``) it is how people separate a phone's groups; with
# whitespace beside it (``16:27:18.014919 | 764258d8-…``, dbt's log banner) it separates columns.
@pytest.mark.parametrize(
    "text",
    [
        "138|0013|8023",
        "电话138|0013|8023谢谢",
        "138 |0013| 8023".replace(" ", ""),
        "a | 138|0013|8023 | b",
        "13800138023 | 764258d8-92f7-4fc6-91ed-4c796a060788",
    ],
)
def test_a_bare_pipe_joins_phone_groups(text):
    assert [f.kind for f in find_pii(text)] == ["mobile"]


@pytest.mark.parametrize(
    "text",
    [
        "============================== 16:27:18.014919 | 764258d8-92f7-4fc6-91ed-4c796a060788 =====",
        "16:27:18.014919 764258d8-92f7-4fc6-91ed-4c796a060788",  # same without the pipe: a UUID is no digit group
        "| 014919 | 76425812 |",  # table columns
        "014919 |764258",
        "014919| 764258",
    ],
)
def test_a_spaced_pipe_or_a_uuid_ends_a_digit_chain(text):
    assert find_pii(text) == []
