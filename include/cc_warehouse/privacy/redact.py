"""Free-text redaction: every PII finding replaced by a placeholder, with counts by kind."""

from __future__ import annotations

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


def redact(text: str | None) -> tuple[str | None, Counter]:
    """``text`` with phones, ID numbers, emails, cards, WeChat/QQ ids, names and addresses replaced;
    a Counter by kind."""
    counts: Counter = Counter()
    if text is None:
        return None, counts
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
