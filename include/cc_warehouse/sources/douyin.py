"""Douyin helpers: decrypt receiver-phone ciphertexts in memory through ``batchDecrypt``."""

from __future__ import annotations

from typing import Any

from cc_warehouse.sources.http_client import PlatformClient

DECRYPT_PATH = "/douyin/order/batchDecrypt"
DECRYPT_BATCH = 50
PHONE_FIELD = "encrypt_post_tel"


def decrypt_phones(client: PlatformClient, orders: list[dict[str, Any]]) -> None:
    """Replace each order's ``encrypt_post_tel`` ciphertext by its clear text, in place, ≤ 50 per call.

    The clear phone exists only in memory until the treatment tokenises it. A ciphertext the platform
    cannot decrypt is left as is: the treatment turns it into a None token and counts it as undecrypted.
    """
    pending = [o for o in orders if isinstance(o.get(PHONE_FIELD), str) and o[PHONE_FIELD]]
    for i in range(0, len(pending), DECRYPT_BATCH):
        batch = pending[i : i + DECRYPT_BATCH]
        body = {"cipher_infos": [{"auth_id": str(o["order_id"]), "cipher_text": o[PHONE_FIELD]} for o in batch]}
        infos = (client.post(DECRYPT_PATH, body).get("data") or {}).get("decrypt_infos") or []
        clear = {
            (d.get("auth_id"), d.get("cipher_text")): d.get("decrypt_text") for d in infos if d.get("err_no", 0) == 0
        }
        for order in batch:
            order[PHONE_FIELD] = clear.get((str(order["order_id"]), order[PHONE_FIELD])) or order[PHONE_FIELD]
