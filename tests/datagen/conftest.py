"""One small generated dataset shared by the tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from cc_warehouse_demo.datagen.generate import GenConfig, generate


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sim")
    truth = generate(
        GenConfig(out, seed=11, days=20, end_date=date(2026, 11, 15), customers=3000, pii_rate=0.02, bad_rate=0.01)
    )
    return out, truth
