"""Request handling without HTTP: paging styles, window rules and helper endpoints, as (status, body)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from cc_warehouse_demo.simulator.store import Entity, Store, param_to_epoch_ms

DAY_MS = 86_400_000
DOUYIN_MAX_BACK_MS = 90 * DAY_MS
RED_MAX_WINDOW_MS = {"1": DAY_MS, "2": 30 * 60_000}
MAX_PAGE_SIZE = 100
DOUYIN_MAX_OFFSET = 50_000


@dataclass
class Reply:
    status: int
    body: dict[str, Any]


class ParamError(ValueError):
    """A request the platform would refuse (bad window, page size, missing parameter)."""


def _error(style: str, message: str) -> Reply:
    if style == "douyin_page":
        return Reply(200, {"code": 40002, "msg": f"非法的参数: {message}", "data": None})
    if style == "red_page":
        return Reply(200, {"success": False, "code": 40001, "msg": f"参数错误: {message}", "data": None})
    if style == "wecom_cursor":
        return Reply(400, {"errcode": 40058, "errmsg": f"invalid parameter: {message}"})
    return Reply(400, {"ok": False, "error": message})


def _int(params: dict[str, str], name: str, default: int | None = None) -> int:
    raw = params.get(name)
    if raw is None or raw == "":
        if default is None:
            raise ParamError(f"missing {name}")
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ParamError(f"{name} must be an integer") from exc


def _window(entity: Entity, params: dict[str, str], now_ms: int) -> tuple[str, int, int]:
    """Validate the window params; return (index variant, start ms, end ms)."""
    window = entity.spec.api["window"]
    style = entity.spec.api["paging"]
    variant = params.get("time_type", "1") if "2" in entity.indexes or "1" in entity.indexes else ""
    if variant not in entity.indexes:
        raise ParamError("unsupported time_type")
    try:
        start = param_to_epoch_ms(params[window["start"]], window["unit"])
        end = param_to_epoch_ms(params[window["end"]], window["unit"])
    except KeyError as exc:
        raise ParamError(f"missing {exc.args[0]}") from exc
    except ValueError as exc:
        raise ParamError(str(exc)) from exc
    if end <= start:
        raise ParamError("window end must be after its start")
    if style == "douyin_page" and start < now_ms - DOUYIN_MAX_BACK_MS:
        raise ParamError("只能查询最近90天的数据")
    if style == "red_page" and end - start > RED_MAX_WINDOW_MS.get(variant, DAY_MS):
        raise ParamError("时间窗口过长")
    return variant, start, end


def _page_size(params: dict[str, str], name: str) -> int:
    size = _int(params, name, 20)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ParamError(f"{name} must be between 1 and {MAX_PAGE_SIZE}")
    return size


def list_records(entity: Entity, params: dict[str, str], now_ms: int, chaos: Any = None) -> Reply:
    """One page of an entity's list endpoint in its platform's paging style.

    With ``chaos`` holding drift units, the first window paged past page 0 drifts once: its first record
    is "updated" and moves to the end of the window's order (chaos.drifted keeps the new order), as a live
    platform table does while a client pages it."""
    style = entity.spec.api["paging"]
    list_name = entity.spec.api["list"].split(".")[-1]
    try:
        if style == "wecom_cursor":
            return _cursor_page(entity, params, list_name)
        variant, start, end = _window(entity, params, now_ms)
        lo, hi = entity.indexes[variant].window(start, end)
        total = hi - lo
        if style == "douyin_page":
            page, size = _int(params, "page", 0), _page_size(params, "size")
            if page < 0 or page * size > DOUYIN_MAX_OFFSET:
                raise ParamError(f"page × size must not exceed {DOUYIN_MAX_OFFSET}")
            rows = _slice(entity, variant, lo, hi, page * size, size, chaos)
            if page == 0:
                _maybe_drift(entity, variant, lo, hi, chaos)
            return Reply(
                200,
                {
                    "code": 10000,
                    "msg": "success",
                    "data": {list_name: rows, "total": total, "page": page, "size": size},
                },
            )
        page, size = (
            (_int(params, "page_no", 1), _page_size(params, "page_size"))
            if style == "red_page"
            else (_int(params, "page", 1), _page_size(params, "page_size"))
        )
        if page < 1:
            raise ParamError("pages start at 1")
        rows = _slice(entity, variant, lo, hi, (page - 1) * size, size, chaos)
        if page == 1:
            _maybe_drift(entity, variant, lo, hi, chaos)
        if style == "red_page":
            return Reply(
                200,
                {
                    "success": True,
                    "code": 0,
                    "data": {
                        list_name: rows,
                        "total": total,
                        "pageNo": page,
                        "pageSize": size,
                        "maxPageNo": -(-total // size),
                    },
                },
            )
        return Reply(200, {"ok": True, "total": total, list_name: rows})
    except ParamError as exc:
        return _error(style, str(exc))


def _slice(
    entity: Entity, variant: str, lo: int, hi: int, offset: int, size: int, chaos: Any = None
) -> list[dict[str, Any]]:
    drifted = chaos.drifted.get((entity.name, variant, lo, hi)) if chaos is not None else None
    if drifted is not None:
        return entity.records(drifted[min(offset, hi - lo) : min(offset + size, hi - lo)])
    begin = min(lo + offset, hi)
    return entity.records(entity.indexes[variant].order[begin : min(begin + size, hi)])


def _maybe_drift(entity: Entity, variant: str, lo: int, hi: int, chaos: Any) -> None:
    """After page 0 was served: move the window's first record to its end (once per drift unit)."""
    key = (entity.name, variant, lo, hi)
    if chaos is None or hi - lo < 2 or key in chaos.drifted or not chaos.take_drift():
        return
    order = entity.indexes[variant].order[lo:hi]
    chaos.drifted[key] = np.concatenate([order[1:], order[:1]])


def _cursor_page(entity: Entity, params: dict[str, str], list_name: str) -> Reply:
    limit = _int(params, "limit", 100)
    if not 1 <= limit <= MAX_PAGE_SIZE:
        raise ParamError(f"limit must be between 1 and {MAX_PAGE_SIZE}")
    cursor = params.get("cursor", "")
    if cursor and not (cursor.startswith("c") and cursor[1:].isdigit()):
        raise ParamError("invalid cursor")
    offset = int(cursor[1:]) if cursor else 0
    n = entity.table.num_rows
    end = min(offset + limit, n)
    rows = entity.records(np.arange(offset, end)) if offset < n else []
    return Reply(200, {"errcode": 0, "errmsg": "ok", list_name: rows, "next_cursor": f"c{end}" if end < n else ""})


def batch_decrypt(store: Store, body: dict[str, Any]) -> Reply:
    """Douyin order.batchDecrypt: up to 50 ciphertexts per call."""
    infos = body.get("cipher_infos")
    if not isinstance(infos, list) or not 1 <= len(infos) <= 50:
        return _error("douyin_page", "cipher_infos must hold 1 to 50 items")
    texts = [str(i.get("cipher_text", "")) for i in infos]
    plain = store.decrypt(texts)
    out = [
        {
            "auth_id": i.get("auth_id"),
            "cipher_text": t,
            "decrypt_text": p or "",
            "err_no": 0 if p is not None else 300008,
            "err_msg": "" if p is not None else "解密失败",
        }
        for i, t, p in zip(infos, texts, plain, strict=True)
    ]
    return Reply(200, {"code": 10000, "msg": "success", "data": {"decrypt_infos": out, "custom_err": None}})


def red_receivers(store: Store, body: dict[str, Any]) -> Reply:
    """RED receiver (and customs declaration) details by openAddressId: up to 100 per call."""
    ids = body.get("openAddressIds")
    if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
        return _error("red_page", "openAddressIds must hold 1 to 100 items")
    found = [r for r in store.receivers_for([str(i) for i in ids]) if r is not None]
    return Reply(200, {"success": True, "code": 0, "data": {"receiverInfos": found}})
