"""Iterate an API's pages to exhaustion for each paging style in the registry (``api.paging``).

Offset paging over a live table drifts: a record inserted (or removed) while we page shifts every later
page, so one record comes twice and another never. Each window is therefore read whole before any page is
handed on, and checked: the platform's total must not change between pages, the records received must
equal it, and no key may come twice. A drifting read is re-paged from the start (up to ``DRIFT_REPAGES``
times); if it never settles the extract fails naming the totals, never lands a silent gap.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from cc_warehouse.config import LOCAL_TZ
from cc_warehouse.faults import fault_point
from cc_warehouse.sources.http_client import ExtractError, PlatformClient

log = logging.getLogger(__name__)

PAGE_SIZE = 100
DRIFT_REPAGES = 2
DOUYIN_MAX_OFFSET = 50_000
MAX_PAGES = 10_000
_TZ = ZoneInfo(LOCAL_TZ)


def format_time(moment: datetime, unit: str) -> int | str:
    """``moment`` (timezone-aware) in the API's window unit."""
    if moment.tzinfo is None:
        raise ValueError("window bounds must be timezone-aware")
    if unit == "unix_s":
        return int(moment.timestamp())
    if unit == "unix_ms":
        return int(moment.timestamp() * 1000)
    local = moment.astimezone(_TZ)
    if unit == "yyyymmddhhmmss":
        return local.strftime("%Y%m%d%H%M%S")
    if unit == "local_string":
        return local.strftime("%Y-%m-%d %H:%M:%S")
    raise ValueError(f"unknown window unit {unit!r}")


def _dig(body: dict[str, Any], dotted: str) -> Any:
    value: Any = body
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _records(body: dict[str, Any], api: dict[str, Any]) -> list[dict[str, Any]]:
    records = _dig(body, api["list"])
    if records is None:
        return []
    if not isinstance(records, list):
        raise ExtractError(f"{api['path']}: {api['list']} is not a list")
    return records


def _window_params(api: dict[str, Any], start: datetime | None, end: datetime | None) -> dict[str, Any]:
    params = dict(api.get("extra_params") or {})
    window = api.get("window")
    if window:
        if start is None or end is None:
            raise ValueError(f"{api['path']} needs a time window")
        params[window["start"]] = format_time(start, window["unit"])
        params[window["end"]] = format_time(end, window["unit"])
    return params


class _Totals:
    """The totals the platform reported during one pass, per (sub-)window."""

    def __init__(self) -> None:
        self.by_window: dict[Any, list[int]] = {}
        self.unknown = False

    def add(self, window: Any, total: Any) -> None:
        if total is None:
            self.unknown = True
        else:
            self.by_window.setdefault(window, []).append(int(total))

    def stable(self) -> bool:
        return all(len(set(v)) == 1 for v in self.by_window.values())

    def expected(self) -> int | None:
        if self.unknown or not self.by_window:
            return None
        return sum(v[-1] for v in self.by_window.values())


def _key_of(record: dict[str, Any], key_fields: tuple[str, ...]) -> Any:
    values = tuple(_dig(record, k) for k in key_fields)
    return None if any(v is None for v in values) else values


def iter_pages(
    client: PlatformClient,
    api: dict[str, Any],
    start: datetime | None = None,
    end: datetime | None = None,
    *,
    page_size: int = PAGE_SIZE,
    key_fields: tuple[str, ...] = (),
) -> Iterator[list[dict[str, Any]]]:
    """Yield each page's records for the window ``[start, end)`` once the whole window was read consistently.

    ``key_fields`` (dotted paths in the raw record) are checked for duplicates across pages.
    """
    previous: list[Any] | None = None
    for attempt in range(1, DRIFT_REPAGES + 2):
        totals = _Totals()
        pages = []
        for page in _one_pass(client, api, start, end, page_size, totals):
            pages.append(page)
            fault_point("mid_page")
        keys = [_key_of(r, key_fields) for page in pages for r in page] if key_fields else []
        present = [k for k in keys if k is not None]
        duplicates = len(present) - len(set(present))
        received = sum(len(p) for p in pages)
        expected = totals.expected()
        consistent = totals.stable() and (expected is None or received == expected)
        if consistent and (duplicates == 0 or keys == previous):  # the same duplicates twice: the platform's data
            yield from pages
            return
        log.warning(
            "%s: page drift (platform total %s, received %d, %d duplicate key(s)), re-paging: pass %d",
            api["path"],
            expected,
            received,
            duplicates,
            attempt,
        )
        previous = keys
    raise ExtractError(
        f"{api['path']}: page drift did not settle after {DRIFT_REPAGES} re-pages: platform total {expected}, "
        f"received {received}, {duplicates} duplicate key(s) across pages (totals seen: "
        f"{sorted({t for v in totals.by_window.values() for t in v})})"
    )


def _one_pass(
    client: PlatformClient,
    api: dict[str, Any],
    start: datetime | None,
    end: datetime | None,
    page_size: int,
    totals: _Totals,
) -> Iterator[list[dict[str, Any]]]:
    style = api["paging"]
    if style == "douyin_page":
        yield from _douyin_pages(client, api, start, end, page_size, totals)
        return
    params = _window_params(api, start, end)
    if style == "red_page":
        yield from _numbered_pages(client, api, params, "page_no", "page_size", page_size, totals)
    elif style == "simple_page":
        yield from _numbered_pages(client, api, params, "page", "page_size", page_size, totals)
    elif style == "wecom_cursor":
        totals.unknown = True
        yield from _cursor_pages(client, api, params, page_size)
    else:
        raise ValueError(f"unknown paging style {style!r}")


def _douyin_pages(
    client: PlatformClient,
    api: dict[str, Any],
    start: datetime | None,
    end: datetime | None,
    size: int,
    totals: _Totals,
) -> Iterator[list[dict[str, Any]]]:
    params = _window_params(api, start, end)
    first = client.get(api["path"], {**params, "page": 0, "size": size})
    total = _dig(first, "data.total")
    total = None if total is None else int(total)
    if total is not None and total > DOUYIN_MAX_OFFSET:
        if start is None or end is None or (end - start).total_seconds() < 2:
            raise ExtractError(f"{api['path']}: {total} records in a window that cannot be split further")
        middle = (start + (end - start) / 2).replace(microsecond=0)
        log.info("%s: %d records exceed the paging limit, splitting the window in halves", api["path"], total)
        yield from _douyin_pages(client, api, start, middle, size, totals)
        yield from _douyin_pages(client, api, middle, end, size, totals)
        return
    window = (start, end)
    totals.add(window, total)
    records, page = _records(first, api), 0
    while records:
        yield records
        page += 1
        if (total is not None and page * size >= total) or page * size >= DOUYIN_MAX_OFFSET:
            return
        body = client.get(api["path"], {**params, "page": page, "size": size})
        totals.add(window, _dig(body, "data.total"))
        records = _records(body, api)


def _numbered_pages(
    client: PlatformClient,
    api: dict[str, Any],
    params: dict[str, Any],
    page_param: str,
    size_param: str,
    size: int,
    totals: _Totals,
) -> Iterator[list[dict[str, Any]]]:
    page, seen = 1, 0
    while page <= MAX_PAGES:
        body = client.get(api["path"], {**params, page_param: page, size_param: size})
        records = _records(body, api)
        total = body.get("total", _dig(body, "data.total"))
        totals.add("window", total)
        if not records:
            return
        yield records
        seen += len(records)
        max_page = _dig(body, "data.maxPageNo")
        if (total is not None and seen >= int(total)) or (max_page is not None and page >= int(max_page)):
            return
        page += 1
    raise ExtractError(f"{api['path']}: more than {MAX_PAGES} pages, giving up")


def _cursor_pages(
    client: PlatformClient, api: dict[str, Any], params: dict[str, Any], size: int
) -> Iterator[list[dict[str, Any]]]:
    cursor, seen_cursors = "", set()
    while True:
        body = client.get(api["path"], {**params, "cursor": cursor, "limit": size})
        records = _records(body, api)
        if records:
            yield records
        cursor = body.get("next_cursor") or ""
        if not cursor:
            return
        if cursor in seen_cursors:
            raise ExtractError(f"{api['path']}: cursor repeated, stopping to avoid an infinite loop")
        seen_cursors.add(cursor)
