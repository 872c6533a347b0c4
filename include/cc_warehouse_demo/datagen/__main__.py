"""CLI: python -m cc_warehouse_demo.datagen --out DIR --seed 7 --days 30 --end-date 2026-11-15 --customers 2000."""

from __future__ import annotations

import argparse
import time
from datetime import date
from pathlib import Path

from cc_warehouse_demo.datagen.generate import GenConfig, generate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cc_warehouse_demo.datagen", description=__doc__)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--end-date", type=date.fromisoformat, default=date(2026, 11, 15))
    parser.add_argument("--customers", type=int, default=2000)
    parser.add_argument("--pii-rate", type=float, default=0.01)
    parser.add_argument("--bad-rate", type=float, default=0.002)
    parser.add_argument(
        "--plant-corpus", type=Path, help="hostile corpus file: every text goes into every free-text field"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    truth = generate(
        GenConfig(
            args.out,
            args.seed,
            args.days,
            args.end_date,
            args.customers,
            args.pii_rate,
            args.bad_rate,
            args.plant_corpus,
        )
    )
    rows = sum(truth["row_counts"].values())
    print(f"wrote {rows} rows to {args.out} in {time.perf_counter() - started:.1f}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
