"""The suspected-fake-engagement flag (METRICS.md §2.5) finds the generator's planted 刷量 episodes.

The marts are built from freshly generated data through the production ingestion code; the labels are
the episodes the generator planted (its intent, in ground_truth.json), never derived from the warehouse
rule. Precision and recall of the content-level flag are printed and must both be at least 0.8.
"""

from __future__ import annotations

import duckdb
import pytest

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def generated(generated_build):
    return generated_build


@pytest.fixture(scope="module")
def con(generated):
    with duckdb.connect(str(generated.build_db), read_only=True) as connection:
        yield connection


def _planted(truth: dict) -> dict[str, dict[str, str]]:
    return {cid: label for per_type in truth["fake_engagement"].values() for cid, label in per_type.items()}


def test_flag_precision_and_recall_on_planted_episodes(con, generated):
    planted = _planted(generated.truth)
    assert len(planted) >= 15, "too few planted episodes to measure anything"
    flagged = {
        cid
        for (cid,) in con.execute(
            "select distinct content_id from seeding.fct_content_daily where is_content_suspected_fake_engagement"
        ).fetchall()
    }
    caught = flagged & set(planted)
    precision = len(caught) / len(flagged) if flagged else 0.0
    recall = len(caught) / len(planted)
    kinds = sorted({label["kind"] for label in planted.values()})
    per_kind = {k: sum(1 for c, lb in planted.items() if lb["kind"] == k and c in flagged) for k in kinds}
    totals = {k: sum(1 for lb in planted.values() if lb["kind"] == k) for k in kinds}
    print(
        f"\nfake engagement: planted {len(planted)}, flagged {len(flagged)}, caught {len(caught)}; "
        f"precision {precision:.3f}, recall {recall:.3f}; caught per kind "
        + ", ".join(f"{k} {per_kind[k]}/{totals[k]}" for k in kinds)
    )
    assert precision >= 0.8
    assert recall >= 0.8


def test_planted_day_carries_the_planted_reason(con, generated):
    """Content, not counts: the episode's own day is flagged and names the kind that was planted."""
    planted = _planted(generated.truth)
    rows = {
        (cid, str(day)): list(reasons)
        for cid, day, reasons in con.execute(
            "select content_id, date_day, fake_engagement_reasons from seeding.fct_content_daily"
        ).fetchall()
    }
    right = [cid for cid, lb in planted.items() if lb["kind"] in rows.get((cid, lb["date"]), [])]
    assert len(right) >= 0.8 * len(planted), {
        cid: (lb, rows.get((cid, lb["date"]))) for cid, lb in planted.items() if cid not in right
    }


def test_organic_days_of_planted_contents_are_not_flagged(con, generated):
    """The flag is per day: a planted content's other days stay clean (no spill from the episode day)."""
    planted = _planted(generated.truth)
    spilled = [
        (cid, str(day), reasons)
        for cid, day, reasons in con.execute(
            "select content_id, date_day, fake_engagement_reasons from seeding.fct_content_daily "
            "where is_suspected_fake_engagement"
        ).fetchall()
        if cid in planted and str(day) != planted[cid]["date"]
    ]
    assert len(spilled) <= 0.2 * len(planted), spilled
