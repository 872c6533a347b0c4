"""ID facts (validity, under-14, age band) and display masks."""

from __future__ import annotations

from datetime import date

import pytest
from cc_warehouse.privacy.idcard import age_band_from_date, derive_id_facts
from cc_warehouse.privacy.masks import MASK_PATTERNS, is_masked, mask_id, mask_name, mask_phone

from .samples import AS_OF, resident_id


def test_id_facts_adult():
    assert derive_id_facts("110101199003071233", AS_OF) == {
        "is_valid": True,
        "is_under_14": False,
        "age_band": "35-44",
    }
    assert derive_id_facts("11010519491231002X", AS_OF)["age_band"] == "55+"


def test_id_facts_under_14_depends_on_as_of():
    child = resident_id("44030620121116123")  # born 2012-11-16
    assert derive_id_facts(child, date(2026, 11, 15)) == {
        "is_valid": True,
        "is_under_14": True,
        "age_band": "<14",
    }
    assert derive_id_facts(child, date(2026, 11, 16)) == {
        "is_valid": True,
        "is_under_14": False,
        "age_band": "14-17",
    }


def test_id_facts_invalid_and_missing():
    assert derive_id_facts("110101199003071234", AS_OF) == {
        "is_valid": False,
        "is_under_14": None,
        "age_band": None,
    }
    assert derive_id_facts(resident_id("44030620300101123"), AS_OF)["is_valid"] is False  # born after as_of
    assert derive_id_facts(None, AS_OF) == {"is_valid": None, "is_under_14": None, "age_band": None}


def test_id_facts_never_hold_birth_date():
    facts = derive_id_facts("110101199003071233", AS_OF)
    assert not any("1990" in str(value) or "0307" in str(value) for value in facts.values())


@pytest.mark.parametrize(
    ("birthday", "band"),
    [
        ("1990-03-07", "35-44"),
        ("1990/3/7", "35-44"),
        ("19900307", "35-44"),
        (date(1990, 3, 7), "35-44"),
        ("2008-11-15", "18-24"),
        ("2008-11-16", "14-17"),
        ("2013-01-01", "<14"),
        ("1971-11-15", "55+"),
        ("2001-11-16", "18-24"),
        ("2001-11-15", "25-34"),
        ("１９９０－０３－０７", "35-44"),
        ("1990年3月7日", "35-44"),
        ("1990-02-30", None),
        ("not a date", None),
        ("2030-01-01", None),
        (None, None),
    ],
)
def test_age_band_from_date(birthday, band):
    assert age_band_from_date(birthday, AS_OF) == band


def test_masks():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("+86 138-1234-5678") == "138****5678"
    assert mask_name("王小明") == "王**"
    assert mask_name("王明") == "王*"
    assert mask_id("110101199003071233") == "110101********1233"
    assert mask_id("110101900307123") == "110101*****7123"


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("1********35", "phone"),
        ("138****1234", "phone"),
        ("王**", "name"),
        ("王*", "name"),
        ("110101********1233", "id"),
        ("110101********123X", "id"),
    ],
)
def test_platform_masks_accepted(value, kind):
    assert is_masked(value, kind)


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("13812345678", "phone"),
        ("138****12345678", "phone"),
        ("王小明", "name"),
        ("**", "name"),
        ("110101199003071233", "id"),
        ("", "name"),
        (None, "phone"),
    ],
)
def test_clear_values_are_not_masks(value, kind):
    assert not is_masked(value, kind)


def test_masks_round_trip_through_patterns():
    assert is_masked(mask_phone("13812345678"), "phone")
    assert is_masked(mask_name("欧阳小明"), "name")
    assert is_masked(mask_id("11010519491231002X"), "id")
    assert set(MASK_PATTERNS) == {"phone", "name", "id"}
