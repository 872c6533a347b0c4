"""A local SMTP sink (aiosmtpd) and a local webhook receiver, on real loopback sockets, to catch alerts."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cc_warehouse_demo.localenv import free_port


@dataclass
class AlertSinks:
    smtp_port: int
    webhook_port: int
    mails: list = field(default_factory=list)  # email.message.EmailMessage
    posts: list = field(default_factory=list)  # (path, parsed JSON body)

    def connections_env(self, flavour: str = "wecom", to: str = "oncall@example.com") -> dict[str, str]:
        """AIRFLOW_CONN_* variables pointing Airflow at the sinks."""
        return {
            "AIRFLOW_CONN_CCWH_ALERT_SMTP": json.dumps(
                {
                    "conn_type": "smtp",
                    "host": "127.0.0.1",
                    "port": self.smtp_port,
                    "extra": {"from_email": "airflow@example.com", "to": to},
                }
            ),
            "AIRFLOW_CONN_CCWH_ALERT_WEBHOOK": json.dumps(
                {
                    "conn_type": "http",
                    "host": f"http://127.0.0.1:{self.webhook_port}/cgi-bin/webhook/send?key=test",
                    "extra": {"flavour": flavour},
                }
            ),
        }

    def clear(self) -> None:
        self.mails.clear()
        self.posts.clear()


class _Handler:
    def __init__(self, sinks: AlertSinks):
        self.sinks = sinks

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's handler protocol
        self.sinks.mails.append(
            message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        )
        return "250 OK"


def start_sinks():
    """Start both sinks; returns (sinks, stop)."""
    from aiosmtpd.controller import Controller

    sinks = AlertSinks(smtp_port=free_port(), webhook_port=free_port())
    controller = Controller(_Handler(sinks), hostname="127.0.0.1", port=sinks.smtp_port)
    controller.start()

    class Webhook(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - http.server's protocol
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            sinks.posts.append((self.path, json.loads(body.decode("utf-8"))))
            reply = b'{"errcode": 0, "errmsg": "ok"}'
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", sinks.webhook_port), Webhook)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        controller.stop()
        httpd.shutdown()
        httpd.server_close()

    return sinks, stop
