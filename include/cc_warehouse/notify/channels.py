"""Delivery: SMTP (the default) and chat-bot webhooks, each configured by one Airflow connection.

- ``ccwh_alert_smtp`` (type smtp): host, port, login/password (optional); extra
  ``{"from_email": "airflow@…", "to": "oncall@…, data@…", "starttls": false, "ssl": false}``.
- ``ccwh_alert_webhook`` (type http, optional): host = the bot's full URL (it carries the bot key, so it
  belongs in a secret backend, not in code); extra ``{"flavour": "wecom" | "dingtalk" | "feishu"}``.

Connection ids can be overridden with ``CCWH_ALERT_SMTP_CONN_ID`` / ``CCWH_ALERT_WEBHOOK_CONN_ID``.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import urllib.request
from email.message import EmailMessage
from typing import Any

from cc_warehouse.notify.alerts import Alert

log = logging.getLogger(__name__)

SMTP_CONN_ID = "ccwh_alert_smtp"
WEBHOOK_CONN_ID = "ccwh_alert_webhook"
FLAVOURS = ("wecom", "dingtalk", "feishu")


def _connection(conn_id: str) -> Any | None:
    """The Airflow connection, or None when it is not defined (that channel is then off)."""
    from airflow.sdk import Connection

    try:
        return Connection.get(conn_id)
    except Exception as missing:  # AirflowNotFoundException, or no Airflow context at all
        log.debug("alert connection %s not available: %s", conn_id, type(missing).__name__)
        return None


def _extra(conn: Any) -> dict:
    extra = getattr(conn, "extra_dejson", None)
    if extra is None:
        raw = getattr(conn, "extra", None) or "{}"
        extra = json.loads(raw) if isinstance(raw, str) else dict(raw)
    return extra


def send_smtp(alert: Alert, conn: Any) -> None:
    extra = _extra(conn)
    recipients = [r.strip() for r in str(extra.get("to") or "").replace(";", ",").split(",") if r.strip()]
    if not recipients:
        raise ValueError(f"SMTP alert connection has no recipients (extra 'to'); alert not sent: {alert.subject}")
    msg = EmailMessage()
    msg["Subject"] = alert.subject
    msg["From"] = extra.get("from_email") or (conn.login or "airflow@localhost")
    msg["To"] = ", ".join(recipients)
    msg.set_content(alert.text)
    port = int(conn.port or (465 if extra.get("ssl") else 25))
    smtp_class = smtplib.SMTP_SSL if extra.get("ssl") else smtplib.SMTP
    with smtp_class(conn.host, port, timeout=int(extra.get("timeout", 30))) as smtp:
        if extra.get("starttls"):
            smtp.starttls()
        if conn.login and conn.password:
            smtp.login(conn.login, conn.password)
        smtp.send_message(msg)


def webhook_payload(alert: Alert, flavour: str) -> dict:
    """The bot message body of each platform (plain text: renders everywhere, no markup to escape)."""
    if flavour == "wecom":
        return {"msgtype": "text", "text": {"content": alert.text}}
    if flavour == "dingtalk":
        return {"msgtype": "text", "text": {"content": alert.text}}
    if flavour == "feishu":
        return {"msg_type": "text", "content": {"text": alert.text}}
    raise ValueError(f"unknown webhook flavour {flavour!r}; expected one of {FLAVOURS}")


def send_webhook(alert: Alert, conn: Any) -> None:
    extra = _extra(conn)
    url = conn.host or ""
    if conn.schema and "://" not in url:
        url = f"{conn.schema}://{url}" + (f":{conn.port}" if conn.port else "")
    body = json.dumps(webhook_payload(alert, extra.get("flavour", "wecom")), ensure_ascii=False).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    with urllib.request.urlopen(request, timeout=int(extra.get("timeout", 30))) as response:
        if response.status >= 300:
            raise RuntimeError(f"webhook answered HTTP {response.status}")


def deliver(alert: Alert) -> list[str]:
    """Send ``alert`` on every configured channel; returns the channels used. Raises if none is configured
    or every configured one failed (a silent alert path is a broken one)."""
    sent, errors = [], []
    channels = [
        (os.environ.get("CCWH_ALERT_SMTP_CONN_ID", SMTP_CONN_ID), send_smtp),
        (os.environ.get("CCWH_ALERT_WEBHOOK_CONN_ID", WEBHOOK_CONN_ID), send_webhook),
    ]
    for conn_id, send in channels:
        conn = _connection(conn_id)
        if conn is None:
            continue
        try:
            send(alert, conn)
            sent.append(conn_id)
        except Exception as failed:  # one channel down must not stop the other
            log.error("alert via %s failed: %s", conn_id, type(failed).__name__)
            errors.append(f"{conn_id}: {type(failed).__name__}")
    if not sent:
        raise RuntimeError(
            f"alert not delivered ({'; '.join(errors) or 'no alert connection configured'}): {alert.subject}"
        )
    log.info("alert sent via %s: %s", ", ".join(sent), alert.subject)
    return sent
