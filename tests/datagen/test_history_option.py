"""`--days 400`: the generator spans 13+ months and the demo extracts it within the platforms' 90-day reach."""

from __future__ import annotations

from datetime import date, timedelta

from cc_warehouse_demo.datagen.generate import GenConfig, generate
from cc_warehouse_demo.demo import HISTORY_CHUNK_DAYS, history_chunks


def test_history_chunks_cover_the_history_contiguously_within_90_days():
    first_daily = date(2026, 11, 14)
    chunks = history_chunks(398, first_daily)
    assert sum(days for days, _ in chunks) == 398
    assert all(0 < days <= HISTORY_CHUNK_DAYS < 90 for days, _ in chunks)
    assert chunks[-1][1] == first_daily
    for (_, end), (days, next_end) in zip(chunks, chunks[1:], strict=False):
        assert next_end - timedelta(days=days) == end  # each chunk starts where the previous one ended
    assert history_chunks(28, first_daily) == [(28, first_daily)]  # the default demo: one run, as before


def test_400_days_make_90_day_repurchase_and_annual_limits_measurable(tmp_path):
    truth = generate(GenConfig(tmp_path, seed=5, days=400, end_date=date(2026, 11, 15), customers=200))
    assert truth["window"]["start"].startswith("2025-10-12")
    assert truth["repurchase_rates"]["90d"]["mature_customers"] > 50
    assert len(truth["crossborder_limits"]["quota_dutiable_fen_by_year"]) == 2
    assert truth["crossborder_limits"]["annual_limit_orders"]
