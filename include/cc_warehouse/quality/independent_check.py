"""A second, independent look for contact numbers: a different technique from ``detectors.find_pii``.

``find_pii`` reads digit chains with bounded separator runs, cuts them on group boundaries and validates
candidates (check digits, Luhn, opaque-id rules). A miss there must not be a miss here, so this check
shares none of that code and works the other way round:

1. its own normalisation: NFKC, its own table of Chinese numerals, opaque words (ASCII words of 16+
   characters holding a letter: hex note ids, tokens, hashes) blanked;
2. a *skeleton*: every character that is neither a letter nor a digit is deleted, whatever it is and
   however many there are (spaces, NBSP, dots, dashes, invisibles, emoji) — separators cannot hide digits;
3. simple shape rules on the skeleton, no check digits: a mobile ``1[3-9]`` + 9 digits (optionally
   behind 0 / 86 / 0086) or an 18-character resident-ID shape with a real month and day, bounded by
   non-digits (legacy 15-digit IDs are left to ``find_pii``: the shape alone matches 15-digit waybills).

It is deliberately more suspicious than ``find_pii`` (no check digits, unbounded separators); typed
identifier columns never reach it. Numeric columns get a SQL rule: an integer in the mobile range.
In production the clear values are unknown, so checking against a list of planted values is no option;
an independent *technique* is the sound substitute.
"""

from __future__ import annotations

import re
import unicodedata

_CN = str.maketrans("零〇一二两三四五六七八九幺壹贰叁肆伍陆柒捌玖洞參貳陸", "00122345678911234567890326")
_OPAQUE_WORD = re.compile(r"[0-9A-Za-z_]{16,}")
_MOBILE = re.compile(r"(?<![0-9])(?:0|86|086|0086)?1[3-9][0-9]{9}(?![0-9])")
_ID_SHAPE = re.compile(
    r"(?<![0-9])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx](?![0-9])"
)
_ENOUGH_DIGITS = 11
_DOTS = frozenset("丶乀丿")  # CJK strokes used as separators; categorised as letters

MOBILE_INTEGER_RANGES = ((13_000_000_000, 19_999_999_999), (8_613_000_000_000, 8_619_999_999_999))
"""Integers that are mobile numbers as stored by a careless export (with or without the 86 prefix)."""


# A JSON number (or numeric string) under a measure or time key is not a contact number: the same rule as
# for numeric columns, applied to JSON text (quarantine excerpts are truncated lines that cannot be parsed).
MEASURE_NAME = re.compile(
    r"amount|gmv|fen|yuan|revenue|price|cost|spend|fee|total|sum|value|_ms|time|epoch|count|cnt", re.IGNORECASE
)
_JSON_NUMBER = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:\s*"?-?[0-9][0-9.]*"?')


def _blank_measure(match: re.Match) -> str:
    return " " if MEASURE_NAME.search(match.group(1)) else match.group()


def _blank_opaque(match: re.Match) -> str:
    word = match.group()
    return " " if any(char.isalpha() for char in word[:-1]) else word  # 17 digits + X is an ID, not opaque


def skeleton(text: str) -> str:
    """Letters and digits only, after NFKC, Chinese numerals as digits and opaque words blanked."""
    text = unicodedata.normalize("NFKC", text).translate(_CN)
    text = _JSON_NUMBER.sub(_blank_measure, text)
    text = _OPAQUE_WORD.sub(_blank_opaque, text)
    return "".join(char for char in text if unicodedata.category(char)[0] in "LN" and char not in _DOTS)


def suspicious(text: str | None) -> bool:
    """True when ``text`` holds something shaped like a mobile or resident ID number, however written."""
    if not text:
        return False
    digits = sum(char.isdigit() for char in unicodedata.normalize("NFKC", text).translate(_CN))
    if digits < _ENOUGH_DIGITS:
        return False
    bones = skeleton(text)
    return bool(_MOBILE.search(bones) or _ID_SHAPE.search(bones))


def numeric_sql(expr: str) -> str:
    """DuckDB: true when a numeric column's value is an integer in a mobile-number range."""
    ranges = " or ".join(f"({expr} between {low} and {high})" for low, high in MOBILE_INTEGER_RANGES)
    return f"coalesce(({expr}) = floor({expr}) and ({ranges}), false)"
