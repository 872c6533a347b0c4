"""Fixtures for the privacy tests: a test key and the as-of date."""

from __future__ import annotations

from datetime import date

import pytest
from cc_warehouse.privacy.tokens import TokenKey

from .samples import AS_OF


@pytest.fixture
def key() -> TokenKey:
    return TokenKey(version=1, secret=b"unit-test-secret-not-for-production")


@pytest.fixture
def as_of() -> date:
    return AS_OF
