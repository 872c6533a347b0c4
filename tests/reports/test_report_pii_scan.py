import duckdb
from cc_warehouse.reports.pii_scan import scan_published_strings
from report_fixtures import PLANTED_ID, PLANTED_PHONE

LUHN_VALID_ORDER_ID = "4781320000000000004"


def test_scan_counts_findings_per_column_and_kind():
    con = duckdb.connect()
    con.execute("create schema fulfilment; create schema staging")
    con.execute("create table fulfilment.shipments (order_id varchar, remark varchar, weight double)")
    con.execute(
        "insert into fulfilment.shipments values (?, ?, 1), (?, ?, 2), (?, ?, 3), (?, null, 4)",
        [
            LUHN_VALID_ORDER_ID,
            f"call {PLANTED_PHONE} or {PLANTED_PHONE}",
            LUHN_VALID_ORDER_ID,
            f"card {LUHN_VALID_ORDER_ID} id {PLANTED_ID}",
            "4781320000000000005",
            "tk1_0123456789abcdef0123456789abcdef",
            "x",
        ],
    )
    # not a published schema: never scanned
    con.execute(f"create table staging.raw_notes as select '{PLANTED_PHONE}' as note")

    result = scan_published_strings(con)

    assert result["columns_scanned"] == 2
    assert sorted((f["column"], f["kind"], f["count"]) for f in result["findings"]) == [
        ("fulfilment.shipments.remark", "bank_card", 1),
        ("fulfilment.shipments.remark", "id_number", 1),
        ("fulfilment.shipments.remark", "mobile", 2),
    ]
    assert PLANTED_PHONE not in repr(result) and PLANTED_ID not in repr(result)
