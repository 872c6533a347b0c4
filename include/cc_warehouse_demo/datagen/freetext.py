"""Free-text columns and PII planted in disguise (counted for the ground truth)."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from cc_warehouse_demo.datagen import arrays as A

BUYER_WORDS = [
    "",
    "",
    "",
    "请尽快发货",
    "送人的，请不要放价格单",
    "麻烦包装好一点",
    "周末送货",
    "谢谢老板",
    "直播间说的赠品别忘了",
    "要新日期的",
]
REFUND_REASONS = ["不想要了", "拍错了", "商品破损", "发货太慢", "与描述不符", "尺码不合适", "七天无理由退货"]
CUSTOMER_REMARKS = ["", "", "", "请用顺丰", "看了笔记来买的", "生日礼物", "保税仓发货吗", "急用"]
COMMENTS = [
    "求链接",
    "已入手，真的好用",
    "姐妹冲",
    "这个色号绝了",
    "蹲一个测评",
    "怎么买",
    "被种草了",
    "用了一周皮肤变好了",
    "价格有点贵",
    "和专柜一样吗",
]
TITLES = [
    "秋冬必备好物分享",
    "平价替代大公开",
    "真实测评不踩雷",
    "新手护肤步骤",
    "一周穿搭不重样",
    "宝宝辅食清单",
    "跨境好物开箱",
    "双十一攻略来了",
    "通勤妆容教程",
    "早餐这样吃",
]
_FULLWIDTH = {str(d): chr(0xFF10 + d) for d in range(10)}


def choose(rng: np.random.Generator, vocabulary: list[str], n: int) -> pa.Array:
    """Random phrases from a PII-free vocabulary."""
    return A.pick(vocabulary, rng.integers(0, len(vocabulary), size=n))


def plant(rng: np.random.Generator, base: pa.Array, rate: float, pii: pa.Array, lead: str) -> tuple[pa.Array, int]:
    """Append `lead` + a PII value to a `rate` share of rows; return the column and the rows planted."""
    mask = rng.random(len(base)) < rate
    if not mask.any():
        return base, 0
    return pc.if_else(pa.array(mask), A.concat(base, lead, pii), base), int(mask.sum())


def intl_phone(rng: np.random.Generator, phones: pa.Array) -> pa.Array:
    """`+86 138 1234 5678` or `0086-138-1234-5678`."""
    parts = [pc.utf8_slice_codeunits(phones, a, b) for a, b in ((0, 3), (3, 7), (7, 11))]
    spaced = A.concat("+86 ", parts[0], " ", parts[1], " ", parts[2])
    dashed = A.concat("0086-", parts[0], "-", parts[1], "-", parts[2])
    return pc.if_else(pa.array(rng.random(len(phones)) < 0.5), spaced, dashed)


def fullwidth(values: pa.Array) -> pa.Array:
    """ASCII digits → full-width digits (`１３８…`)."""
    for ascii_digit, wide in _FULLWIDTH.items():
        values = pc.replace_substring(values, ascii_digit, wide)
    return values


def emails(rng: np.random.Generator, n: int) -> pa.Array:
    """Plausible personal e-mail addresses."""
    return A.concat(
        A.random_hex(rng, n, 8), "@", A.pick(["qq.com", "163.com", "gmail.com"], rng.integers(0, 3, size=n))
    )


def bank_cards(rng: np.random.Generator, n: int) -> pa.Array:
    """Luhn-valid UnionPay-style debit card numbers (19 digits)."""
    return A.luhn_numbers(rng, n, "622202", 19)
