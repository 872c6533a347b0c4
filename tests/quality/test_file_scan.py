"""The gate scans files too: landing JSONL (field-aware), receipts, inbox file names and logs."""

from __future__ import annotations

import json

from cc_warehouse.quality.file_scan import scan_roots
from cc_warehouse.quality.gate import run_gate


def _tree(tmp_path, leak: bool):
    landing = tmp_path / "landing" / "douyin" / "orders" / "dt=2026-11-15"
    landing.mkdir(parents=True)
    records = [
        {
            "order_id": "4937123456789012345",
            "sku_order_list": [{"sku_id": "13800138000"}],
            "buyer_words": "[手机号] 谢谢",
            "pay_amount": 13800138000,
            "note_id": "5f3a13800138000dcba01234",
        }
    ]
    if leak:
        records.append({"order_id": "1", "buyer_words": "电话 138\u00a00013\u00a08000", "contact": 13900139000})
    (landing / "part-1.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n")
    logs = tmp_path / "logs"
    logs.mkdir()
    lines = [
        "start_date=datetime.datetime(2026, 12, 2, 14, 10, 12, 64826, tzinfo=utc)",
        "at 2026-12-02T22:04:01.779847+08:00 run scheduled__2026-11-15T00:00:00+08:00",
    ]
    if leak:
        lines.append("tokenising failed for 一三八零零一三八零零零")
    (logs / "task.log").write_text("\n".join(lines) + "\n")
    inbox = tmp_path / "inbox" / "crm"
    inbox.mkdir(parents=True)
    (inbox / ("members_13800138000.csv" if leak else "members_20261115.csv")).write_text("x")
    return {"landing": tmp_path / "landing", "logs": logs, "inbox": tmp_path / "inbox"}


def test_clean_files_pass_and_leaks_are_found_without_values(tmp_path):
    clean = scan_roots(_tree(tmp_path / "clean", leak=False), names_only=("inbox",))
    assert clean == {"landing": [], "logs": [], "inbox": []}
    leaked = scan_roots(_tree(tmp_path / "leak", leak=True), names_only=("inbox",))
    assert {f.line for f in leaked["landing"]} == {2}
    assert {f.kind for f in leaked["landing"]} >= {"mobile"}
    assert [(f.line, f.kind) for f in leaked["logs"]] == [(3, "mobile")]
    assert [f.kind for f in leaked["inbox"]] == ["file_name:mobile"]
    assert "13800138000" not in repr(leaked)


def test_gate_fails_on_a_leak_in_files(make_build, expectations_dir, tmp_path):
    build = make_build()
    roots = _tree(tmp_path / "files", leak=True)
    result = run_gate(
        build,
        reports_dir=tmp_path / "reports",
        run_id="files",
        work_dir=tmp_path / "gx",
        expectations_dir=expectations_dir,
        file_roots=roots,
        names_only=("inbox",),
    )
    assert not result.success
    failed = {s["suite"] for s in result.suites if not s["success"]}
    assert failed == {"pii.files.landing", "pii.files.logs", "pii.files.inbox"}
    text = result.results_path.read_text(encoding="utf-8")
    assert "13800138000" not in text and "13900139000" not in text


def test_role_mailboxes_are_not_findings_but_people_are(tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / "manifest.json").write_text(json.dumps({"exposures": {"a": {"owner": {"email": "crm-ops@example.com"}}}}))
    assert scan_roots({"dbt_target": target}) == {"dbt_target": []}
    (target / "manifest.json").write_text(json.dumps({"exposures": {"a": {"owner": {"email": "wang.xm@example.com"}}}}))
    assert [f.kind for f in scan_roots({"dbt_target": target})["dbt_target"]] == ["email"]


def test_a_dbt_log_banner_is_not_a_phone_but_a_phone_in_a_log_is(tmp_path):
    """Seen in a real run: dbt's banner put a time's microseconds next to a run UUID (14919764258)."""
    logs = tmp_path / "logs"
    logs.mkdir()
    banner = "============================== 16:27:18.014919 | 764258d8-92f7-4fc6-91ed-4c796a060788 =====\n"
    (logs / "dbt.log").write_text(banner, encoding="utf-8")
    assert not scan_roots({"dbt_logs": logs})["dbt_logs"]
    (logs / "dbt.log").write_text(banner + "16:27:19 remark 电话 138 0013 8000\n", encoding="utf-8")
    assert scan_roots({"dbt_logs": logs})["dbt_logs"]
