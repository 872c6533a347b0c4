"""The generated Parquet files are exactly the registry's record shapes, with valid identifiers."""

from __future__ import annotations

import re

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from cc_warehouse_demo.datagen import schema

ENTITIES = schema.load_entities()
API_ENTITIES = schema.api_entities(ENTITIES)
ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_valid(value: str) -> bool:
    return (
        bool(re.fullmatch(r"\d{17}[\dX]", value))
        and "10X98765432"[sum(int(c) * w for c, w in zip(value, ID_WEIGHTS, strict=False)) % 11] == value[-1]
    )


@pytest.mark.parametrize("entity", API_ENTITIES)
def test_parquet_fields_equal_registry_fields(dataset, entity):
    out, _ = dataset
    table_schema = pq.read_schema(out / f"{entity}.parquet")
    assert schema.arrow_tree(table_schema) == schema.expected_tree(ENTITIES[entity], entity)


def test_contract_check_rejects_extra_and_missing_fields(dataset):
    out, _ = dataset
    table = pq.read_table(out / "douyin.refunds.parquet")
    with pytest.raises(ValueError):
        schema.check_table(
            "douyin.refunds", table.append_column("surprise", table.column(0)), ENTITIES["douyin.refunds"]
        )
    with pytest.raises(ValueError):
        schema.check_table("douyin.refunds", table.drop_columns(["reason_text"]), ENTITIES["douyin.refunds"])


def test_identifiers_have_platform_formats(dataset):
    out, truth = dataset
    dy = pq.read_table(out / "douyin.orders.parquet").column("order_id").to_pylist()
    good = [x for x in dy if x is not None and "E+" not in x]
    assert all(re.fullmatch(r"\d{19}", x) for x in good)
    assert len(set(good)) == len(good)
    assert len(dy) - len(good) == truth["planted_bad_rows"]["douyin.orders"] > 0
    red = pq.read_table(out / "red.orders.parquet").column("orderId").to_pylist()
    assert all(re.fullmatch(r"P\d{18}", x) for x in red if x is not None)
    notes = pq.read_table(out / "red.notes.parquet").column("note_id").to_pylist()
    assert all(re.fullmatch(r"[0-9a-f]{24}", x) for x in notes)


def test_resident_ids_are_valid_and_include_minors(dataset):
    out, truth = dataset
    decl = pq.read_table(out / "customs.declarations.parquet")
    ids = decl.column("buyerIdNumber").to_pylist()
    assert ids and all(id_valid(x) for x in ids)
    assert not id_valid("110101199003071234") and id_valid("11010519491231002X")
    info = pq.read_table(out / "douyin.orders.parquet").column("user_id_info").combine_chunks()
    dy_ids = [x for x in info.field("id_card_no").to_pylist() if x]
    assert all(id_valid(x) for x in dy_ids)
    end_year = int(truth["window"]["end"][:4])
    ages = [end_year - int(x[6:10]) for x in ids + dy_ids]
    assert min(ages) < 14 and max(ages) >= 18


def test_phones_are_mobile_numbers_and_only_behind_ciphers(dataset):
    out, _ = dataset
    plain = pq.read_table(out / "_red_receivers.parquet").column("receiverPhone").to_pylist()
    assert all(re.fullmatch(r"1[3-9]\d{9}", p) for p in plain)
    orders = pq.read_table(out / "douyin.orders.parquet")
    assert pc.all(pc.starts_with(orders.column("encrypt_post_tel"), "#")).as_py()
    assert all(re.fullmatch(r"1\*{8}\d{2}", m) for m in orders.column("mask_post_tel").to_pylist())


def test_cross_border_orders_have_receipts_ending_released_or_returned(dataset):
    out, _ = dataset
    receipts = pq.read_table(out / "customs.receipts.parquet").to_pandas()
    last = receipts.assign(t=receipts.returnTime.str[:14]).sort_values("t").groupby("orderNo").returnStatus.last()
    assert set(last.unique()) <= {1, 2, 100, 120, 300, 399, 500, 700, 800}
    assert (last == 800).mean() > 0.7
    assert {1, 2, 120, 399, 800} <= set(receipts.returnStatus.unique())
    decl = pq.read_table(out / "customs.declarations.parquet")
    assert set(decl.column("tradeMode").to_pylist()) == {"1210", "9610"}
    assert np.isin(receipts.orderNo.unique(), decl.column("orderNo").to_numpy(zero_copy_only=False)).all()
