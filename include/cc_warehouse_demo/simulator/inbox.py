"""File drops: copy the CRM member exports into the inbox the way a real drop lands (temp + rename)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path


def drop_crm_files(files: list[Path], inbox_dir: Path) -> list[Path]:
    """Copy each export into `inbox_dir/crm/` atomically; returns the destination paths."""
    target = inbox_dir / "crm"
    target.mkdir(parents=True, exist_ok=True)
    placed = []
    for src in files:
        tmp = target / f".{src.name}.tmp"
        shutil.copyfile(src, tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        dest = target / src.name
        os.replace(tmp, dest)
        placed.append(dest)
    return placed
