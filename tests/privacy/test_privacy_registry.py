"""The registry and apply_treatments: every entity leaves no clear PII, unknown fields stop the record."""

from __future__ import annotations

import json
import re
import time
from copy import deepcopy

import pytest
from cc_warehouse.privacy.detectors import find_pii
from cc_warehouse.privacy.tokens import TOKEN_PATTERN, tokenise
from cc_warehouse.privacy.treatment import apply_treatments
from cc_warehouse.sources.registry import UnclassifiedFieldError, load_registry

from .samples import CLEAR_PHONE, CLEAR_VALUES, sample_record

ENTITIES = load_registry().entity_names


def test_registry_lists_every_entity_with_fields():
    assert {"douyin.orders", "red.orders", "customs.declarations", "crm.members", "wecom.contacts"} <= set(ENTITIES)
    rows = load_registry().fields_flat()
    paths = {(row.entity, row.path) for row in rows}
    assert ("douyin.orders", "sku_order_list[].author_id") in paths
    assert ("red.orders", "receiver.declare.idCardFrontUrl") in paths
    assert all(row.treatment in {"keep", "drop", "token", "mask", "coarsen", "redact"} for row in rows)
    assert all(row.output for row in rows if row.treatment in ("token", "coarsen"))


def test_entity_spec_fields():
    orders = load_registry().entity("douyin.orders")
    assert orders.key == "order_id" and orders.updated_at == "update_time"
    assert orders.api["paging"] == "douyin_page" and orders.table_name == "douyin_orders"
    assert load_registry().entity("crm_members").headers["手机号"] == "mobile"
    assert load_registry().entity("wecom.contacts").landed_key == ("external_contact.external_user_token",)
    with pytest.raises(KeyError):
        load_registry().entity("douyin.nothing")


@pytest.mark.parametrize("entity", ENTITIES)
def test_every_entity_leaves_no_clear_pii(entity, key, as_of):
    treated, counts = apply_treatments(entity, sample_record(entity), key, as_of)
    text = json.dumps(treated, ensure_ascii=False)
    for clear in CLEAR_VALUES:
        assert clear not in text, f"{entity}: clear value survived"
    assert find_pii(text) == []
    for row in load_registry().fields_flat(entity):
        if row.treatment == "token":
            assert re.search(rf'"{row.output}": (\["tk1_|"tk1_)', text), f"{entity}: {row.path} not tokenised"
        if row.treatment in ("drop", "token", "coarsen"):
            assert f'"{row.path.rsplit(".", 1)[-1].removeprefix("[].")}":' not in text, f"{entity}: {row.path} kept"
    assert counts["token"] >= 1 or all(r.treatment != "token" for r in load_registry().fields_flat(entity))


def test_photos_and_coordinates_dropped(key, as_of):
    red, counts = apply_treatments("red.orders", sample_record("red.orders"), key, as_of)
    declare = red["receiver"]["declare"]
    assert "idCardFrontUrl" not in declare and "idCardBackUrl" not in declare
    assert declare["buyer_id_is_valid"] is True and declare["buyer_id_age_band"] == "55+"
    assert declare["buyer_id_is_under_14"] is False
    assert declare["buyerName"] == "王**"
    assert counts["drop"] >= 4
    event, _ = apply_treatments("logistics.events", sample_record("logistics.events"), key, as_of)
    assert "longitude" not in event and "latitude" not in event and "courier_phone" not in event


def test_tokens_masks_and_redaction_counts(key, as_of):
    order, counts = apply_treatments("douyin.orders", sample_record("douyin.orders"), key, as_of)
    assert order["receiver_phone_token"] == tokenise(CLEAR_PHONE, "phone", key)
    assert "encrypt_post_tel" not in order and "encrypt_post_receiver" not in order
    assert order["mask_post_tel"] == "138****5678" and order["mask_post_receiver"] == "王**"
    assert order["buyer_words"] == "请联系[手机号]或邮箱[邮箱]，身份证[身份证号]，卡号[银行卡]"
    assert counts["buyer_words:mobile"] == 1 and counts["buyer_words:bank_card"] == 1
    assert counts["sku_order_list[].author_id:mobile"] == 0
    assert re.fullmatch(TOKEN_PATTERN, order["payment_no_token"])
    assert order["user_id_info"]["buyer_id_is_valid"] is True


def test_same_phone_joins_across_sources(key, as_of):
    order, _ = apply_treatments("douyin.orders", sample_record("douyin.orders"), key, as_of)
    member, _ = apply_treatments("crm.members", sample_record("crm.members"), key, as_of)
    contact, _ = apply_treatments("wecom.contacts", sample_record("wecom.contacts"), key, as_of)
    assert order["receiver_phone_token"] == member["mobile_token"]
    assert contact["follow_info"]["remark_mobile_tokens"][0] == member["mobile_token"]
    assert member["age_band"] == "35-44" and "birthday" not in member


def test_platform_masks_kept_and_nulls_pass(key, as_of):
    record = sample_record("douyin.orders")
    record.update(
        mask_post_tel="1********35",
        mask_post_receiver="王*",
        user_id_info=None,
        post_addr=None,
        buyer_words=None,
        channel_payment_no="",
    )
    order, counts = apply_treatments("douyin.orders", record, key, as_of)
    assert order["mask_post_tel"] == "1********35" and order["mask_post_receiver"] == "王*"
    assert order["user_id_info"] is None and order["post_addr"] is None and order["buyer_words"] is None
    assert order["payment_no_token"] is None
    assert counts["mask"] == 0


def test_undecrypted_ciphertext_is_not_tokenised(key, as_of):
    record = sample_record("douyin.orders")
    record["encrypt_post_tel"] = "#AbCd1234#"
    order, counts = apply_treatments("douyin.orders", record, key, as_of)
    assert order["receiver_phone_token"] is None
    assert counts["encrypt_post_tel:undecrypted"] == 1


@pytest.mark.parametrize(
    ("entity", "mutate", "path"),
    [
        ("douyin.orders", lambda r: r.update(new_field="x"), "new_field"),
        (
            "douyin.orders",
            lambda r: r["sku_order_list"][1].update(buyer_mobile="13812345678"),
            "sku_order_list[].buyer_mobile",
        ),
        (
            "red.orders",
            lambda r: r["receiver"]["declare"].update(idCardHoldUrl="x"),
            "receiver.declare.idCardHoldUrl",
        ),
        ("douyin.orders", lambda r: r.update(shop_id={"nested": "13812345678"}), "shop_id"),
        ("douyin.orders", lambda r: r.update(post_addr="一个字符串"), "post_addr"),
    ],
)
def test_unknown_field_raises_without_value(entity, mutate, path, key, as_of):
    record = sample_record(entity)
    mutate(record)
    with pytest.raises(UnclassifiedFieldError) as error:
        apply_treatments(entity, record, key, as_of)
    assert error.value.entity == entity and error.value.path == path
    assert "13812345678" not in str(error.value)


def test_input_record_not_modified(key, as_of):
    record = sample_record("red.orders")
    before = deepcopy(record)
    apply_treatments("red.orders", record, key, as_of)
    assert record == before


def test_registry_rejects_bad_treatment(tmp_path):
    text = load_registry().path.read_text(encoding="utf-8")
    bad = tmp_path / "registry.yml"
    bad.write_text(
        text.replace("shop_id: {level: transaction, treatment: keep", "shop_id: {level: transaction, treatment: hide"),
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match="shop_id: treatment"):
        load_registry(bad)


def test_throughput_douyin_orders(key, as_of):
    base = sample_record("douyin.orders")  # a domestic order: no cross-border identity block
    base.update(
        buyer_words="麻烦尽快发货，谢谢",
        user_id_info=None,
        mask_post_tel="1********35",
        mask_post_receiver="王**",
    )
    records = []
    for n in range(20_000):
        record = deepcopy(base) if n < 2 else dict(base)
        record["order_id"] = str(4781320123456789012 + n)
        records.append(record)
    apply_treatments("douyin.orders", deepcopy(base), key, as_of)  # jieba's dictionary: a one-off ~1-3 s per process
    started = time.process_time()  # CPU time: robust to other jobs on the box
    for record in records:
        apply_treatments("douyin.orders", record, key, as_of)
    elapsed = time.process_time() - started
    # Free text now goes through normalisation and jieba's name tagging (issue 9): ~1.6 s of CPU for 20k orders
    # once jieba's dictionary is loaded (was ~1 s before jieba); the load itself, ~1-3 s once per process, was
    # inside the timed loop and made this 4-6 s. The bound guards against a further regression; issue 12's
    # target is far above it.
    assert elapsed < 4.0, f"20k orders took {elapsed:.2f}s"
