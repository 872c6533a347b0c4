"""Paths and settings, all from the environment with project-relative defaults.

Nothing here touches the disk at import time; call ``ensure_dirs()`` when a task needs the folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

LOCAL_TZ = "Asia/Shanghai"


def _root() -> Path:
    env = os.environ.get("PROJECT_ROOT")
    if env:
        return Path(env).resolve()
    return Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Settings:
    root: Path
    var: Path

    # --- landing zone and file drops -------------------------------------------------------------
    @property
    def landing_dir(self) -> Path:
        """Immutable extracted files: landing/<source>/<entity>/dt=YYYY-MM-DD/<file>.jsonl."""
        return Path(os.environ.get("CCWH_LANDING_DIR", self.var / "landing"))

    @property
    def inbox_dir(self) -> Path:
        """Where CRM member exports (CSV) are dropped: inbox/crm/*.csv."""
        return Path(os.environ.get("CCWH_INBOX_DIR", self.var / "inbox"))

    # --- DuckDB files ----------------------------------------------------------------------------
    @property
    def restricted_dir(self) -> Path:
        return Path(os.environ.get("CCWH_RESTRICTED_DIR", self.var / "restricted"))

    @property
    def raw_db(self) -> Path:
        """Restricted file: raw tables, quarantine, load and run audit. Never analyst-facing."""
        return Path(os.environ.get("CCWH_RAW_DB", self.restricted_dir / "raw.duckdb"))

    @property
    def build_dir(self) -> Path:
        """Per-run dbt build files (staging + marts) awaiting the gate."""
        return Path(os.environ.get("CCWH_BUILD_DIR", self.var / "build"))

    @property
    def warehouse_db(self) -> Path:
        """The published, analyst-facing file: marts only, replaced atomically after the gate."""
        return Path(os.environ.get("CCWH_WAREHOUSE_DB", self.var / "warehouse" / "analytics.duckdb"))

    @property
    def reports_dir(self) -> Path:
        return Path(os.environ.get("CCWH_REPORTS_DIR", self.var / "reports"))

    # --- other components ------------------------------------------------------------------------
    @property
    def dbt_project_dir(self) -> Path:
        return self.root / "dbt_project"

    @property
    def expectations_dir(self) -> Path:
        return self.root / "expectations"

    @property
    def sim_data_dir(self) -> Path:
        """Generated synthetic datasets (Parquet) served by the simulator, plus ground truth."""
        return Path(os.environ.get("CCWH_SIM_DATA_DIR", self.var / "sim"))

    @property
    def api_base_url(self) -> str:
        """Base URL of the platform APIs (the local stand-in by default)."""
        return os.environ.get("CCWH_API_BASE_URL", "http://127.0.0.1:8765")

    def ensure_dirs(self) -> None:
        for path in (self.landing_dir, self.inbox_dir, self.restricted_dir, self.build_dir,
                     self.warehouse_db.parent, self.reports_dir):
            path.mkdir(parents=True, exist_ok=True)


def settings() -> Settings:
    root = _root()
    var = Path(os.environ.get("CCWH_VAR_DIR", root / "var")).resolve()
    return Settings(root=root, var=var)
