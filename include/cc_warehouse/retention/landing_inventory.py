"""What the landing zone currently holds, by entity and date (the input of purge and the privacy report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cc_warehouse.config import LOCAL_TZ
from cc_warehouse.landing.files import partition_date, partition_dirs, receipts_dir

_TZ = ZoneInfo(LOCAL_TZ)


@dataclass(frozen=True)
class LandingPartition:
    """One ``<source>/<entity>/dt=YYYY-MM-DD`` directory."""

    entity: str
    dt: date
    path: Path

    @property
    def data_files(self) -> list[Path]:
        return sorted(self.path.glob("*.jsonl"))


def landing_partitions(landing_dir: Path) -> list[LandingPartition]:
    """Every dated partition directory of the API/CSV entities (not the CRM receipts), sorted."""
    found = [
        LandingPartition(f"{path.parent.parent.name}.{path.parent.name}", partition_date(path.name), path)
        for path in partition_dirs(landing_dir)
    ]
    return sorted(found, key=lambda p: (p.entity, p.dt))


def file_date(path: Path) -> date:
    """The ``dt=`` of the nearest dated parent directory, else the file's local modification date."""
    for parent in path.parents:
        day = partition_date(parent.name)
        if day is not None:
            return day
    return datetime.fromtimestamp(path.stat().st_mtime, _TZ).date()


def receipts(landing_dir: Path) -> list[tuple[Path, date]]:
    """The receipts of taken CRM inbox files (no personal data) with their dates, sorted by path."""
    root = receipts_dir(landing_dir)
    if not root.is_dir():
        return []
    return [(p, file_date(p)) for p in sorted(root.rglob("*")) if p.is_file()]
