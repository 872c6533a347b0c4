"""The generated datasets in memory: window-sorted indexes per entity, decrypt and receiver lookups."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from cc_warehouse.sources.registry import EntitySpec

from cc_warehouse_demo.datagen import schema

LOCAL_OFFSET_MS = 8 * 3600 * 1000
# Record field each window filters on, and how its values are written. RED orders: time_type 1 = create
# time (the registry's extra param), time_type 2 = update time.
WINDOW_FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "douyin.orders": {"": ("update_time", "unix_s")},
    "douyin.refunds": {"": ("update_time", "unix_s")},
    "douyin.live_sessions": {"": ("start_time", "local_string")},
    "douyin.videos": {"": ("stat_date", "date")},
    "douyin.creators": {"": ("stat_date", "date")},
    "red.notes": {"": ("stat_date", "date")},
    "red.note_comments": {"": ("create_time", "unix_ms")},
    "red.aftersales": {"": ("updateTime", "unix_ms")},
    "red.orders": {"1": ("createdTime", "unix_ms"), "2": ("updateTime", "unix_ms")},
    "customs.declarations": {"": ("orderDocTime", "yyyymmddhhmmss")},
    "customs.receipts": {"": ("returnTime", "yyyymmddhhmmss")},
    "logistics.events": {"": ("event_time", "local_string")},
}
_PARSE = {
    "local_string": ("%Y-%m-%d %H:%M:%S", 19),
    "date": ("%Y-%m-%d", 10),
    "yyyymmddhhmmss": ("%Y%m%d%H%M%S", 14),
}


def to_epoch_ms(values: pa.Array | pa.ChunkedArray, unit: str) -> np.ndarray:
    """Window-field values (any registry unit) as epoch milliseconds; unparseable → int64 min."""
    if unit == "unix_s":
        return pc.fill_null(values, -(2**62)).to_numpy().astype(np.int64) * 1000
    if unit == "unix_ms":
        return pc.fill_null(values, -(2**62)).to_numpy().astype(np.int64)
    fmt, width = _PARSE[unit]
    ts = pc.strptime(pc.utf8_slice_codeunits(values, 0, width), format=fmt, unit="ms", error_is_null=True)
    return pc.fill_null(ts.cast(pa.int64()), -(2**62) + LOCAL_OFFSET_MS).to_numpy() - LOCAL_OFFSET_MS


def param_to_epoch_ms(value: str, unit: str) -> int:
    """A window query parameter in the API's unit as epoch milliseconds (ValueError if malformed)."""
    if unit in ("unix_s", "unix_ms"):
        number = int(value)
        return number * 1000 if unit == "unix_s" else number
    fmt, width = _PARSE[unit]
    parsed = pc.strptime(pa.array([value]), format=fmt, unit="ms", error_is_null=True)
    if len(value) != width or not parsed[0].is_valid:
        raise ValueError(f"malformed time {value!r}")
    return parsed.cast(pa.int64())[0].as_py() - LOCAL_OFFSET_MS


@dataclass
class Index:
    """Row order sorted by the window field (ties by row number) and the sorted keys."""

    order: np.ndarray
    keys: np.ndarray
    unit: str

    def window(self, start_ms: int, end_ms: int) -> tuple[int, int]:
        """Positions [lo, hi) of rows with start <= key < end."""
        return (
            int(np.searchsorted(self.keys, start_ms, side="left")),
            int(np.searchsorted(self.keys, end_ms, side="left")),
        )


@dataclass
class Entity:
    name: str
    spec: EntitySpec
    table: pa.Table
    indexes: dict[str, Index] = field(default_factory=dict)

    def records(self, rows: np.ndarray) -> list[dict[str, Any]]:
        return self.table.take(pa.array(rows, pa.int64())).to_pylist()


class _Lookup:
    """Exact string → row lookup over a sorted bytes array (no per-row Python objects)."""

    def __init__(self, keys: pa.Array) -> None:
        raw = np.asarray(keys.to_numpy(zero_copy_only=False), dtype=object).astype("S")
        self.order = np.argsort(raw, kind="stable")
        self.sorted = raw[self.order]

    def find(self, wanted: list[str]) -> list[int | None]:
        probe = np.array([w.encode("utf-8") for w in wanted], dtype=self.sorted.dtype if wanted else "S1")
        pos = np.minimum(np.searchsorted(self.sorted, probe), max(self.sorted.size - 1, 0))
        hit = [self.sorted.size > 0 and self.sorted[p] == w.encode("utf-8") for p, w in zip(pos, wanted, strict=True)]
        return [int(self.order[p]) if h else None for p, h in zip(pos, hit, strict=True)]


@dataclass
class Store:
    entities: dict[str, Entity]
    ciphers: pa.Table
    receivers: pa.Table
    crm_files: list[Path]
    _cipher_lookup: _Lookup | None = None
    _receiver_lookup: _Lookup | None = None

    def decrypt(self, cipher_texts: list[str]) -> list[str | None]:
        rows = self._cipher_lookup.find(cipher_texts)
        plain = self.ciphers.column("decrypt_text")
        return [None if r is None else plain[r].as_py() for r in rows]

    def receivers_for(self, open_address_ids: list[str]) -> list[dict[str, Any] | None]:
        rows = self._receiver_lookup.find(open_address_ids)
        found = [r for r in rows if r is not None]
        records = iter(self.receivers.take(pa.array(found, pa.int64())).to_pylist()) if found else iter(())
        return [None if r is None else next(records) for r in rows]


def load_store(data_dir: Path) -> Store:
    """Read every API entity's Parquet once and build the sorted window indexes."""
    specs = schema.load_entities()
    entities: dict[str, Entity] = {}
    for name in schema.api_entities(specs):
        table = pq.read_table(data_dir / f"{name}.parquet")
        entity = Entity(name, specs[name], table)
        for variant, (column, unit) in WINDOW_FIELDS.get(name, {}).items():
            keys = to_epoch_ms(table.column(column), unit)
            order = np.argsort(keys, kind="stable")
            entity.indexes[variant] = Index(order, keys[order], unit)
        entities[name] = entity
    ciphers = pq.read_table(data_dir / "_douyin_cipher.parquet")
    receivers = pq.read_table(data_dir / "_red_receivers.parquet")
    store = Store(entities, ciphers, receivers, sorted((data_dir / "crm_members").glob("*.csv")))
    store._cipher_lookup = _Lookup(ciphers.column("cipher_text").combine_chunks())
    store._receiver_lookup = _Lookup(receivers.column("openAddressId").combine_chunks())
    return store
