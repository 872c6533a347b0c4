"""Free-text redaction: every PII finding replaced by a placeholder, with counts by kind."""

from __future__ import annotations

import functools
from collections import Counter

from cc_warehouse.privacy.detectors import ALL_KINDS, find_pii

PLACEHOLDERS = {
    "mobile": "[手机号]",
    "id_number": "[身份证号]",
    "email": "[邮箱]",
    "bank_card": "[银行卡]",
    "wechat": "[微信号]",
    "qq": "[QQ号]",
    "name": "[姓名]",
    "address": "[地址]",
}


SHORT_TEXT = 64  # short texts recur ("求链接", "已入手，真的好用"): their redaction is remembered


def redact(text: str | None) -> tuple[str | None, Counter]:
    """``text`` with phones, ID numbers, emails, cards, WeChat/QQ ids, names and addresses replaced;
    a Counter by kind."""
    if text is None:
        return None, Counter()
    if len(text) <= SHORT_TEXT:
        redacted, counts = _redact_short(text)
        return redacted, Counter(dict(counts))
    return _redact(text)


@functools.lru_cache(maxsize=65536)
def _redact_short(text: str) -> tuple[str, tuple[tuple[str, int], ...]]:
    redacted, counts = _redact(text)
    return redacted, tuple(counts.items())


def _redact(text: str) -> tuple[str, Counter]:
    counts: Counter = Counter()
    findings = find_pii(text, ALL_KINDS)
    if not findings:
        return text, counts
    parts: list[str] = []
    position = 0
    for finding in findings:
        parts.append(text[position : finding.start])
        parts.append(PLACEHOLDERS[finding.kind])
        position = finding.end
        counts[finding.kind] += 1
    parts.append(text[position:])
    return "".join(parts), counts
