"""Display masks (phone ``138****5678``, name ``王**``, ID ``110101********1233``) and mask recognition."""

from __future__ import annotations

import re
import unicodedata

from cc_warehouse.privacy.detectors import normalise_id_number, normalise_phone

# An 11-character phone mask: "1", 0-2 digits, stars, 2-4 digits (138****5678, 1********35). RE2 has no
# look-ahead for the length, so every split of the 10 characters after the "1" is spelled out.
_PHONE_MASK = (
    "^1(?:"
    + "|".join(f"[0-9]{{{head}}}\\*{{{10 - head - tail}}}[0-9]{{{tail}}}" for head in range(3) for tail in range(2, 5))
    + ")$"
)

MASK_PATTERNS: dict[str, str] = {
    "phone": _PHONE_MASK,
    "name": r"^[^*\s0-9]\*+$",
    "id": r"^[0-9]{0,6}\*{5,}[0-9]{0,3}[0-9Xx]$",
}
"""Per kind, a regex (Python and RE2) matching an acceptable mask, platform masks included: the one rule
of what a mask looks like, for extraction (``is_masked``) and the gate (``quality.pii_scan``) alike."""

_COMPILED = {kind: re.compile(pattern) for kind, pattern in MASK_PATTERNS.items()}
_KIND_ALIASES = {"phone": "phone", "mobile": "phone", "id": "id", "id_number": "id", "name": "name"}


def mask_kind(hint: str) -> str | None:
    """The mask kind a field or column name (or a registry ``kind``) calls for: phone (tel/phone/mobile),
    name (name/receiver), id (an ``id`` word); None when the name tells none of them."""
    text = hint.lower()
    if any(word in text for word in ("tel", "phone", "mobile")):
        return "phone"
    if "name" in text or "receiver" in text:
        return "name"
    return "id" if "id" in text.split("_") else None


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
    return _COMPILED[_KIND_ALIASES[kind]].fullmatch(str(value).strip()) is not None


MASKERS = {"phone": mask_phone, "name": mask_name, "id": mask_id}
"""Mask function per kind."""
