"""RED helpers: fetch receivers (and customs declarations) by ``openAddressId`` and merge them."""

from __future__ import annotations

from typing import Any

from cc_warehouse.sources.http_client import PlatformClient

RECEIVERS_PATH = "/red/order/receivers"
RECEIVERS_BATCH = 100


def merge_receivers(client: PlatformClient, orders: list[dict[str, Any]]) -> None:
    """Set each order's ``receiver`` (without ``openAddressId``), ≤ 100 ids per call, in place.

    Orders without an ``openAddressId`` or with no answer get ``receiver: None``.
    """
    ids = list(dict.fromkeys(o["openAddressId"] for o in orders if o.get("openAddressId")))
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), RECEIVERS_BATCH):
        body = client.post(RECEIVERS_PATH, {"openAddressIds": ids[i : i + RECEIVERS_BATCH]})
        for info in (body.get("data") or {}).get("receiverInfos") or []:
            found[info.get("openAddressId")] = {k: v for k, v in info.items() if k != "openAddressId"}
    for order in orders:
        order["receiver"] = found.get(order.get("openAddressId"))
