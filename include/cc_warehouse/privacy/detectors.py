"""PII detectors for free text: mainland mobile numbers, resident ID numbers, emails and bank cards.

``find_pii`` is the precise check: it NFKC-normalises the text (full-width ``１３８`` → ``138``), finds
candidates with regular expressions and validates them (ID check digit and real birth date, Luhn for
cards). Number boundaries are "not an ASCII digit" on both sides, so a value glued to Chinese text or a
Latin prefix (``加v13812345678``) is found while a number inside a longer digit run (a 19-digit order
id) is not; numbers inside opaque identifiers (``tk1_<hex>`` tokens, long hex ids) are ignored.

``SQL_PATTERNS`` are RE2 patterns (DuckDB ``regexp_matches``) for a set-based pre-scan. They are a
superset filter on text made of ASCII and full-width characters: every value ``find_pii`` reports makes
the matching pattern true, but a true pattern is only a candidate row that ``find_pii`` must confirm.
Detectors see text only: they cannot know that a Luhn-valid 19-digit number sits in an order-id column.
"""

from __future__ import annotations

import operator
import re
import unicodedata
from datetime import date
from typing import NamedTuple

KINDS = ("mobile", "id_number", "email", "bank_card")


class Finding(NamedTuple):
    """A PII value found in a text: its kind and its ``[start, end)`` offsets in the original text."""

    kind: str
    start: int
    end: int


# --- phone numbers -------------------------------------------------------------------------------
_PHONE_NOISE = re.compile(r"[\s\-()]")
_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def clean_phone(value: str) -> str:
    """NFKC, drop spaces/hyphens/parentheses and a ``+86``/``0086``/``86`` country prefix."""
    text = _PHONE_NOISE.sub("", unicodedata.normalize("NFKC", value))
    if text.startswith("+"):
        text = text[1:]
    if len(text) == 15 and text.startswith("0086"):
        return text[4:]
    if len(text) == 13 and text.startswith("86"):
        return text[2:]
    return text


def normalise_phone(value: str | None) -> str | None:
    """The 11-digit mainland mobile number in ``value`` (any common disguise), or None if it is not one."""
    if value is None:
        return None
    text = clean_phone(str(value))
    return text if _MOBILE.fullmatch(text) else None


# --- resident ID numbers -------------------------------------------------------------------------
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID18 = re.compile(r"[1-9][0-9]{5}((?:18|19|20)[0-9]{2})([0-9]{2})([0-9]{2})[0-9]{3}[0-9X]")
_ID15 = re.compile(r"[1-9][0-9]{5}([0-9]{2})([0-9]{2})([0-9]{2})[0-9]{3}")
_SPACES = re.compile(r"\s+")


def _real_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def normalise_id_number(value: str) -> str:
    """NFKC, no whitespace, upper-case ``X``."""
    return _SPACES.sub("", unicodedata.normalize("NFKC", value)).upper()


def resident_id_birth_date(value: str | None) -> date | None:
    """Birth date of a valid resident ID number (18-digit with check digit, or legacy 15-digit), else None."""
    if not value:
        return None
    text = normalise_id_number(str(value))
    match = _ID18.fullmatch(text)
    if match:
        total = sum(map(operator.mul, map(int, text[:17]), _ID_WEIGHTS))
        if _ID_CHECK[total % 11] != text[17]:
            return None
        return _real_date(int(match[1]), int(match[2]), int(match[3]))
    match = _ID15.fullmatch(text)
    if match:
        return _real_date(1900 + int(match[1]), int(match[2]), int(match[3]))
    return None


def is_valid_resident_id(value: str | None) -> bool:
    """True for an 18-digit ID with a real birth date and a valid ISO 7064 MOD 11-2 check digit, or a
    legacy 15-digit ID with a real birth date."""
    return resident_id_birth_date(value) is not None


# --- bank cards ----------------------------------------------------------------------------------
_CARD_NOISE = re.compile(r"[\s\-]")


def luhn_ok(value: str | None) -> bool:
    """True when the digits of ``value`` (spaces and hyphens ignored) pass the Luhn check."""
    if not value:
        return False
    digits = _CARD_NOISE.sub("", unicodedata.normalize("NFKC", str(value)))
    if not (digits.isascii() and digits.isdigit()):
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


# --- free-text scanning (Python patterns, applied to NFKC text) ----------------------------------
_MOBILE_TEXT = re.compile(r"(?<![0-9])(?:\(?(?:\+|00)?86\)?[ -]?)?1[3-9][0-9](?:[ -]?[0-9]){8}(?![0-9])")
_ID_TEXT = re.compile(r"(?<![0-9])(?:[0-9]{6} ?[0-9]{8} ?[0-9]{3}[0-9Xx]|[0-9]{15})(?![0-9])")
_CARD_TEXT = re.compile(r"(?<![0-9])[0-9]{4}(?:[ -]?[0-9]{4}){3}(?:[ -]?[0-9]{1,3})?(?![0-9])")
_EMAIL_TEXT = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_QUICK = re.compile(r"[0-9@]")
_ID_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_")
_TOKEN_RUN = re.compile(r"tk[0-9]+_[0-9a-f]+")
_HEX_CHARS = frozenset("0123456789abcdefABCDEF")
_UUID_CHARS = _HEX_CHARS | {"-"}
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_PREFIXED_CODE = re.compile(r"[A-Za-z]+_[0-9]+")  # channel codes such as live_<room id>, note_<id>
_PRIORITY = {"email": 0, "id_number": 1, "bank_card": 2, "mobile": 3}


def _nfkc_by_char(text: str) -> tuple[str, list[int]]:
    """``text`` NFKC-normalised char by char, and the original offset of every resulting character."""
    parts: list[str] = []
    index: list[int] = []
    for position, char in enumerate(text):
        mapped = unicodedata.normalize("NFKC", char)
        parts.append(mapped)
        index.extend([position] * len(mapped))
    return "".join(parts), index


def _inside_opaque_id(text: str, start: int, end: int, kind: str = "mobile") -> bool:
    """True when [start, end) sits inside an opaque identifier rather than free text: a token
    (``tk1_<hex>``), a long hex id, a UUID (whose hyphenated digit groups can read like a phone), or —
    for card- and ID-length numbers — a prefixed code such as ``live_<19-digit room id>``."""
    left = start
    while left > 0 and text[left - 1] in _UUID_CHARS:
        left -= 1
    right = end
    while right < len(text) and text[right] in _UUID_CHARS:
        right += 1
    if _UUID.search(text[left:right]):
        uuid = _UUID.search(text, left, right)
        if uuid and uuid.start() <= start and end <= uuid.end():
            return True
    left = start
    while left > 0 and text[left - 1] in _ID_CHARS:
        left -= 1
    right = end
    while right < len(text) and text[right] in _ID_CHARS:
        right += 1
    run = text[left:right]
    if _TOKEN_RUN.fullmatch(run):
        return True
    if kind in ("bank_card", "id_number") and _PREFIXED_CODE.fullmatch(run):
        return True
    return len(run) >= 16 and not run.isdigit() and all(char in _HEX_CHARS for char in run)


def _candidates(text: str) -> list[Finding]:
    found: list[Finding] = []
    if "@" in text:
        found.extend(Finding("email", m.start(), m.end()) for m in _EMAIL_TEXT.finditer(text))
    for m in _ID_TEXT.finditer(text):
        if is_valid_resident_id(m.group()) and not _inside_opaque_id(text, m.start(), m.end(), "id_number"):
            found.append(Finding("id_number", m.start(), m.end()))
    for m in _CARD_TEXT.finditer(text):
        if luhn_ok(m.group()) and not _inside_opaque_id(text, m.start(), m.end(), "bank_card"):
            found.append(Finding("bank_card", m.start(), m.end()))
    for m in _MOBILE_TEXT.finditer(text):
        if not _inside_opaque_id(text, m.start(), m.end()):
            found.append(Finding("mobile", m.start(), m.end()))
    return found


def find_pii(text: str | None) -> list[Finding]:
    """Non-overlapping PII findings in ``text``, ordered by position (offsets refer to the input)."""
    if not text:
        return []
    normalised = unicodedata.normalize("NFKC", text)
    if not _QUICK.search(normalised):
        return []
    index = None
    if normalised != text:
        normalised, index = _nfkc_by_char(text)
    candidates = sorted(_candidates(normalised), key=lambda f: (f.start, f.start - f.end, _PRIORITY[f.kind]))
    findings: list[Finding] = []
    last_end = -1
    for finding in candidates:
        if finding.start >= last_end:
            findings.append(finding)
            last_end = finding.end
    if index is None:
        return findings
    return [Finding(f.kind, index[f.start], index[f.end - 1] + 1) for f in findings]


# --- SQL pre-scan patterns (RE2: no lookarounds; ASCII and full-width forms) ----------------------
_D = "[0-9０-９]"
_SEP = "[ 　\\-－]"
_START = "(^|[^0-9０-９])"
_END = "([^0-9０-９]|$)"

SQL_PATTERNS: dict[str, str] = {
    "mobile": (
        _START + "([(（]?([+＋]|[0０]{2})?[8８][6６][)）]?" + _SEP + "?)?"
        "[1１][3-9３-９]" + _D + "(" + _SEP + "?" + _D + "){8}" + _END
    ),
    "id_number": (
        _START + "(" + _D + "{6}[ 　]?" + _D + "{8}[ 　]?" + _D + "{3}[0-9０-９XxＸｘ]|" + _D + "{15})" + _END
    ),
    "bank_card": _START + _D + "{4}(" + _SEP + "?" + _D + "{4}){3}(" + _SEP + "?" + _D + "{1,3})?" + _END,
    "email": "[@＠][0-9A-Za-z０-９Ａ-Ｚａ-ｚ\\-－]+[.．]",
}
"""Per kind, an RE2 pattern true for every text in which ``find_pii`` could report that kind."""

SQL_ANY_PII = "|".join(f"({pattern})" for pattern in SQL_PATTERNS.values())
"""One RE2 pattern true when any of ``SQL_PATTERNS`` is."""


# --- column-name rule shared by the gate and the report scan --------------------------------------
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_IDENTIFIER_SUFFIXES = ("id", "no", "time", "at", "date")


def is_identifier_column(column: str) -> bool:
    """True for identifier and timestamp columns (``order_id``, ``orderNo``, ``itemId``, ``product_id_str``,
    ``returnTime``): platform ids of 16-19 digits and ``yyyyMMddHHmmssfff`` times pass a Luhn check one time
    in ten, so a *bank-card* finding in such a column is not reported. Mobiles, ID numbers and emails
    still are, whatever the column."""
    parts = _CAMEL_BOUNDARY.sub("_", column.split("__")[-1]).lower().split("_")
    if parts[-1] == "str" and len(parts) > 1:
        parts = parts[:-1]
    return parts[-1] in _IDENTIFIER_SUFFIXES


IDENTIFIER_EXEMPT_KINDS = frozenset({"bank_card"})
"""Kinds not reported in an identifier column (see ``is_identifier_column``)."""


def exempt_kinds(column: str) -> frozenset[str]:
    """The finding kinds not reported in ``column``: the one rule the gate and the report scan both apply."""
    return IDENTIFIER_EXEMPT_KINDS if is_identifier_column(column) else frozenset()
