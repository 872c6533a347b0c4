"""Minimised by design: text written by buyers and users never reaches the published file; only content
titles (notes, videos, live rooms) are published, redacted. Checked on the real pipeline's published file."""

from __future__ import annotations

import duckdb
from cc_warehouse.privacy.redact import PLACEHOLDERS
from cc_warehouse.reports.warehouse import PUBLISHED_SCHEMAS

BUYER_TEXT_FIELDS = {
    "buyer_words",
    "customer_remark",
    "remark",
    "content",
    "reason_text",
    "return_info",
    "description",
    "comment",
    "comment_text",
    "receiver_note",
    "buyer_remark",
}


def test_no_buyer_free_text_in_the_published_file(pipeline):
    con = duckdb.connect(str(pipeline.cfg.warehouse_db), read_only=True)
    try:
        columns = con.execute(
            "select table_schema, table_name, column_name from information_schema.columns "
            f"where data_type = 'VARCHAR' and table_schema in ({', '.join('?' * len(PUBLISHED_SCHEMAS))})",
            list(PUBLISHED_SCHEMAS),
        ).fetchall()
        assert columns
        named = [
            c
            for c in columns
            if c[2].removesuffix("_redacted") in BUYER_TEXT_FIELDS
            or (c[2].endswith("_redacted") and "title" not in c[2])
        ]
        assert named == []
        pattern = "|".join(p.replace("[", "\\[").replace("]", "\\]") for p in PLACEHOLDERS.values())
        carrying = []
        for schema, table, column in columns:
            if "title" in column:
                continue  # content titles may be published after redaction
            hits = con.execute(
                f'select count(*) from "{schema}"."{table}" where regexp_matches("{column}", ?)', [pattern]
            ).fetchone()[0]
            if hits:
                carrying.append(f"{schema}.{table}.{column}")
        assert carrying == [], "redacted free text is published"
        facts = {
            c
            for _, t, c in con.execute(
                "select table_schema, table_name, column_name from information_schema.columns "
                "where table_name = 'fct_customs_events'"
            ).fetchall()
        }
        assert {"return_info_length", "return_info_contact_removed"} <= facts
    finally:
        con.close()
