"""What the landing zone currently holds, by entity and date (the input of purge and the privacy report)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from cc_warehouse.config import LOCAL_TZ

ORIGINALS_DIR = Path("crm") / "members_received"  # receipts of taken CRM exports (no PII)
ORIGINALS_ENTITY = "crm.members"
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


def _dt(name: str) -> date | None:
    if not name.startswith("dt="):
        return None
    try:
        return date.fromisoformat(name[3:])
    except ValueError:
        return None


def landing_partitions(landing_dir: Path) -> list[LandingPartition]:
    """Every dated partition directory of the API/CSV entities (not the CRM originals), sorted."""
    found = []
    for path in Path(landing_dir).glob("*/*/dt=*"):
        day = _dt(path.name)
        if day is None or not path.is_dir() or path.parent.relative_to(landing_dir) == ORIGINALS_DIR:
            continue
        found.append(LandingPartition(f"{path.parent.parent.name}.{path.parent.name}", day, path))
    return sorted(found, key=lambda p: (p.entity, p.dt))


def file_date(path: Path) -> date:
    """The ``dt=`` of the nearest dated parent directory, else the file's local modification date."""
    for parent in path.parents:
        day = _dt(parent.name)
        if day is not None:
            return day
    return datetime.fromtimestamp(path.stat().st_mtime, _TZ).date()


def original_copies(landing_dir: Path) -> list[tuple[Path, date]]:
    """The restricted original CRM CSV copies with their dates, sorted by path."""
    root = Path(landing_dir) / ORIGINALS_DIR
    if not root.is_dir():
        return []
    return [(p, file_date(p)) for p in sorted(root.rglob("*")) if p.is_file()]
