"""Every ```sql block in docs/marts.md runs as written against a published warehouse.

Runs against the fixture build (published copy) and against the published warehouse of the session's
real pipeline run (or `CCWH_GT_WAREHOUSE` when set).
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from tests.dbt.published import doc_queries, publish_copy

QUERIES = doc_queries()


def test_doc_has_the_analyst_questions():
    text = "\n".join(QUERIES)
    assert len(QUERIES) >= 8
    assert "tier" in text and "repurchase_rate_90d" in text and "customs_mode_name" in text


@pytest.fixture(scope="module")
def fixture_warehouse(fixture_build, tmp_path_factory) -> Path:
    return publish_copy(fixture_build.build_db, tmp_path_factory.mktemp("published") / "analytics.duckdb")


@pytest.mark.parametrize("index", range(len(QUERIES)))
def test_doc_query_runs_on_fixture_warehouse(fixture_warehouse, index):
    with duckdb.connect(str(fixture_warehouse), read_only=True) as con:
        con.execute(QUERIES[index]).fetchall()


@pytest.mark.slow
@pytest.mark.parametrize("index", range(len(QUERIES)))
def test_doc_query_runs_on_published_warehouse(published_warehouse, index):
    with duckdb.connect(str(published_warehouse[0]), read_only=True) as con:
        rows = con.execute(QUERIES[index]).fetchall()
    assert rows, "every documented question has an answer on the demo data"
