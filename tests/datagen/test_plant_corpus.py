"""``--plant-corpus``: every hostile text lands in every free-text (``redact``) field of every source, read
back from the files the stand-in serves (Parquet) and the CRM exports (CSV, GBK or UTF-8)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from cc_warehouse.sources.registry import load_registry
from cc_warehouse_demo.datagen.__main__ import main

from tests.privacy.hostile import load_corpus

CORPUS = Path(__file__).resolve().parents[1] / "privacy" / "hostile_corpus.txt"
HOSTILE = [case.text for case in load_corpus() if case.kind != "benign"]


def _leaf(record: dict, path: str):
    for part in path.split("."):
        record = (record or {}).get(part)
    return record


def test_every_hostile_text_is_in_every_free_text_field(tmp_path):
    out = tmp_path / "sim"
    assert (
        main(["--out", str(out), "--seed", "11", "--days", "4", "--customers", "800", "--plant-corpus", str(CORPUS)])
        == 0
    )
    registry = load_registry()
    free_text = [(row.entity, row.path) for row in registry.fields_flat() if row.treatment == "redact"]
    assert len(free_text) >= 12
    members = []
    for path in sorted((out / "crm_members").glob("*.csv")):
        data = path.read_bytes()
        text = data.decode("utf-8-sig") if data.startswith(b"\xef\xbb\xbf") else data.decode("gbk")
        members += list(csv.DictReader(io.StringIO(text[text.index('"会员编号"') :])))  # after a title row
    headers = {field: header for header, field in registry.entity("crm.members").headers.items()}
    for entity, field in free_text:
        if entity == "crm.members":
            values = [row[headers[field]] for row in members]
        else:
            values = [_leaf(r, field) for r in pq.read_table(out / f"{entity}.parquet").to_pylist()]
        blob = "\n".join(v for v in values if v)
        missing = [text for text in HOSTILE if text not in blob]
        assert not missing, (entity, field, len(missing), missing[:2])
    truth = json.loads((out / "ground_truth.json").read_text(encoding="utf-8"))
    assert truth["config"]["plant_corpus"] == CORPUS.name


def test_a_source_without_rows_is_an_error_not_a_silent_gap(tmp_path):
    with pytest.raises(ValueError, match="douyin.refunds has no rows"):
        main(["--out", str(tmp_path), "--days", "2", "--customers", "200", "--plant-corpus", str(CORPUS)])


def test_without_the_option_the_dataset_is_unchanged_but_for_the_planted_fields(tmp_path):
    """Planting draws no random numbers: apart from the free-text fields, both datasets are identical."""
    plain, planted = tmp_path / "plain", tmp_path / "planted"
    main(["--out", str(plain), "--seed", "11", "--days", "4", "--customers", "800"])
    main(["--out", str(planted), "--seed", "11", "--days", "4", "--customers", "800", "--plant-corpus", str(CORPUS)])
    for path in sorted(plain.glob("*.parquet")):
        a, b = pq.read_table(path), pq.read_table(planted / path.name)
        assert a.num_rows == b.num_rows
        for name in a.column_names:
            if a.column(name) != b.column(name):
                assert name in {
                    "title",
                    "content",
                    "buyer_words",
                    "reason_text",
                    "reason",
                    "customerRemark",
                    "returnInfo",
                } | {
                    "remark",
                    "name",
                    "follow_info",
                }, (path.name, name)
