"""CLI: python -m cc_warehouse_demo.simulator --data-dir DIR --port 8765 --token T [--chaos 429=0.05,500=0.02]."""

from __future__ import annotations

import argparse
import logging
import os
from datetime import datetime
from pathlib import Path

from cc_warehouse_demo.simulator.inbox import drop_crm_files
from cc_warehouse_demo.simulator.server import make_server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cc_warehouse_demo.simulator", description=__doc__)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument(
        "--token", default=os.environ.get("CCWH_API_TOKEN"), help="bearer token (default: env CCWH_API_TOKEN)"
    )
    parser.add_argument("--chaos", default="", help="e.g. 429=0.05,500=0.02,slow=0.01,busy=0.01")
    parser.add_argument("--drop-inbox", type=Path, help="copy the CRM exports into INBOX/crm/ at start")
    parser.add_argument(
        "--now",
        type=datetime.fromisoformat,
        help="the platform clock for window limits (default: dataset window end)",
    )
    parser.add_argument("--ready-file", type=Path, help="written with the base URL once listening")
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("--token or CCWH_API_TOKEN is required")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    now_ms = int(args.now.timestamp() * 1000) if args.now else None
    server = make_server(args.data_dir, args.token, args.host, args.port, now_ms, args.chaos)
    if args.drop_inbox:
        drop_crm_files(server.store.crm_files, args.drop_inbox)
    host, port = server.server_address[:2]
    print(f"simulator listening on http://{host}:{port}", flush=True)
    if args.ready_file:  # written whole and renamed, so a waiter never reads it half-written
        partial = args.ready_file.with_name(args.ready_file.name + ".tmp")
        partial.write_text(f"http://{host}:{port}\n", encoding="utf-8")
        os.replace(partial, args.ready_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
