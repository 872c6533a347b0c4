"""Which entities each ingestion DAG (source family) extracts. Names are registry entity names."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Family:
    dag_id: str
    description: str
    api_entities: tuple[str, ...]
    inbox_entities: tuple[str, ...] = ()
    lookback_days: int = 1  # re-extract the previous day too: "数据将于第二天更新" rows arrive late


FAMILIES: dict[str, Family] = {
    "douyin": Family(
        dag_id="ingest_douyin",
        description="Douyin shop orders, refunds, live sessions, short-video metrics and creator profiles.",
        api_entities=("douyin.orders", "douyin.refunds", "douyin.live_sessions", "douyin.videos", "douyin.creators"),
    ),
    "red": Family(
        dag_id="ingest_red",
        description="Xiaohongshu (RED) note metrics, comments, shop orders and after-sales.",
        api_entities=("red.notes", "red.note_comments", "red.orders", "red.aftersales"),
    ),
    "fulfilment": Family(
        dag_id="ingest_fulfilment",
        description="Cross-border customs declarations and receipts, logistics events.",
        api_entities=("customs.declarations", "customs.receipts", "logistics.events"),
    ),
    "crm": Family(
        dag_id="ingest_crm",
        description="Private domain: WeCom contacts and groups (API snapshots) and CRM member exports (inbox).",
        api_entities=("wecom.contacts", "wecom.group_chats"),
        inbox_entities=("crm.members",),
        lookback_days=0,
    ),
}
