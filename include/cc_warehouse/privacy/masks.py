"""Display masks (phone ``138****5678``, name ``王**``, ID ``110101********1233``) and mask recognition."""

from __future__ import annotations

import re
import unicodedata

from cc_warehouse.privacy.detectors import normalise_id_number, normalise_phone

MASK_PATTERNS: dict[str, str] = {
    "phone": r"^1[0-9]{0,2}\*{4,9}[0-9]{2,4}$",
    "name": r"^[^*\s0-9]\*+$",
    "id": r"^[0-9]{0,6}\*{5,}[0-9]{0,3}[0-9Xx]$",
}
"""Per kind, a regex (Python and RE2) matching an acceptable mask; platform masks included."""

_COMPILED = {kind: re.compile(pattern) for kind, pattern in MASK_PATTERNS.items()}
_KIND_ALIASES = {"phone": "phone", "mobile": "phone", "id": "id", "id_number": "id", "name": "name"}


def _stars(count: int) -> str:
    return "*" * max(count, 0)


def mask_phone(value: str) -> str:
    """``138****5678``: first 3 and last 4 digits of the mobile; short values become all stars."""
    text = normalise_phone(value) or re.sub(r"[\s\-()+]", "", unicodedata.normalize("NFKC", value))
    if len(text) < 8:
        return _stars(len(text))
    return text[:3] + _stars(len(text) - 7) + text[-4:]


def mask_name(value: str) -> str:
    """``王**``: the first character and one star per remaining character (a single character → ``*``)."""
    text = unicodedata.normalize("NFKC", value).strip()
    if len(text) <= 1:
        return _stars(len(text))
    return text[0] + _stars(len(text) - 1)


def mask_id(value: str) -> str:
    """``110101********1233``: area code and last 4 characters; short values become all stars."""
    text = normalise_id_number(value)
    if len(text) < 11:
        return _stars(len(text))
    return text[:6] + _stars(len(text) - 10) + text[-4:]


def is_masked(value: str | None, kind: str) -> bool:
    """True when ``value`` already is a mask of ``kind`` (phone, name, id)."""
    if not value:
        return False
    pattern = _COMPILED[_KIND_ALIASES[kind]]
    text = str(value).strip()
    if pattern.fullmatch(text) is None:
        return False
    return len(text) == 11 if _KIND_ALIASES[kind] == "phone" else True


MASKERS = {"phone": mask_phone, "name": mask_name, "id": mask_id}
"""Mask function per kind."""
