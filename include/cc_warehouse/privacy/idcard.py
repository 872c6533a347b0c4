"""Facts derived from an ID number or a birthday (validity, under-14, age band) — never the birth date."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime

from cc_warehouse.privacy.detectors import resident_id_birth_date

AGE_BANDS = ("<14", "14-17", "18-24", "25-34", "35-44", "45-54", "55+")
_BAND_FLOORS = ((55, "55+"), (45, "45-54"), (35, "35-44"), (25, "25-34"), (18, "18-24"), (14, "14-17"))
_DATE_PARTS = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _age(birth: date, as_of: date) -> int:
    return as_of.year - birth.year - ((as_of.month, as_of.day) < (birth.month, birth.day))


def _band(age: int) -> str:
    for floor, band in _BAND_FLOORS:
        if age >= floor:
            return band
    return "<14"


def derive_id_facts(id_number: str | None, as_of: date) -> dict:
    """``is_valid``, ``is_under_14`` and ``age_band`` at ``as_of``; all None when no ID was given.

    An ID whose birth date is after ``as_of`` is invalid."""
    if id_number is None or not str(id_number).strip():
        return {"is_valid": None, "is_under_14": None, "age_band": None}
    birth = resident_id_birth_date(str(id_number))
    if birth is None or birth > as_of:
        return {"is_valid": False, "is_under_14": None, "age_band": None}
    age = _age(birth, as_of)
    return {"is_valid": True, "is_under_14": age < 14, "age_band": _band(age)}


def _parse_date(value: date | str) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", str(value)).strip()
    match = _DATE_PARTS.fullmatch(text) or _DATE_COMPACT.fullmatch(text)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def age_band_from_date(value: date | str | None, as_of: date) -> str | None:
    """Age band at ``as_of`` for a birthday (``1990-03-07``, ``1990/3/7``, ``19900307``); None if unparseable
    or in the future."""
    if value is None:
        return None
    birth = _parse_date(value)
    if birth is None or birth > as_of:
        return None
    return _band(_age(birth, as_of))
