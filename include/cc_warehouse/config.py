"""Paths and settings, all from the environment with project-relative defaults.

The one owner of every path the pipeline derives (build file, dbt and GX working folders, the local key
file): a module that needs a location asks ``settings()`` rather than joining its own.
Nothing here touches the disk at import time; call ``ensure_dirs()`` when a task needs the folders.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

LOCAL_TZ = "Asia/Shanghai"
KEY_DIR_ENV = "CCWH_KEY_DIR"  # where the local deployment keeps its generated HMAC key
# PlatformClient keywords a deployment may set as CCWH_HTTP_<NAME> (see Settings.http_client_options).
HTTP_CLIENT_ENV = {
    "max_retries": int,
    "backoff_base": float,
    "retry_after_ceiling": float,
    "request_deadline": float,
    "extract_deadline": float,
}


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
        return Path(os.environ.get("CCWH_BUILD_DIR", self.var / "build"))

    @property
    def build_db(self) -> Path:
        """The pipeline's own dbt build file (staging + marts) that the gate validates before publishing.
        Persistent across runs, so incremental models work; the published file is a copy of its marts."""
        return self.build_dir / "warehouse_build.duckdb"

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
    def dbt_target_dir(self) -> Path:
        """dbt's target folder (manifest, run_results.json), kept out of the project tree."""
        return self.var / "dbt" / "target"

    @property
    def dbt_log_dir(self) -> Path:
        return self.var / "dbt" / "logs"

    @property
    def expectations_dir(self) -> Path:
        """The committed Great Expectations context (read-only at run time)."""
        return self.root / "expectations"

    @property
    def gx_dir(self) -> Path:
        """Working copy of the GX context, where GX writes its suites and stored validation results;
        the gate writes here and retention purges here."""
        return self.var / "gx"

    # --- gate thresholds -------------------------------------------------------------------------
    @property
    def gate_volume_max_drop(self) -> float:
        """Volume check: a published table may lose at most this fraction of its rows against the last
        published build (``CCWH_GATE_VOLUME_MAX_DROP``, default 0.5)."""
        return float(os.environ.get("CCWH_GATE_VOLUME_MAX_DROP", "0.5"))

    @property
    def gate_volume_max_growth(self) -> float:
        """Volume check: a published table may grow by at most this fraction (``CCWH_GATE_VOLUME_MAX_GROWTH``,
        default 10.0, i.e. up to 11x its published rows; a young warehouse doubles daily)."""
        return float(os.environ.get("CCWH_GATE_VOLUME_MAX_GROWTH", "10.0"))

    @property
    def gate_volume_min_rows(self) -> int:
        """Volume check: changes smaller than this many rows never fail (``CCWH_GATE_VOLUME_MIN_ROWS``, 100)."""
        return int(os.environ.get("CCWH_GATE_VOLUME_MIN_ROWS", "100"))

    @property
    def gate_volume_override(self) -> tuple[str, ...]:
        """Tables (``schema.table``, comma-separated, or ``*`` for all) whose volume change is accepted for
        this run: a legitimate backfill or purge (``CCWH_GATE_VOLUME_OVERRIDE``; unset it afterwards)."""
        value = os.environ.get("CCWH_GATE_VOLUME_OVERRIDE", "")
        return tuple(part.strip() for part in value.split(",") if part.strip())

    @property
    def hmac_key_file(self) -> Path:
        """The local deployment's generated HMAC key (0600) in ``CCWH_KEY_DIR`` or ``~/.config/cc_warehouse``:
        never under the data folder, so copying var/ never hands over the key that protects it. A real
        deployment uses its secret backend instead."""
        directory = Path(os.environ.get(KEY_DIR_ENV) or Path.home() / ".config" / "cc_warehouse").resolve()
        if directory == self.var or self.var in directory.parents:
            raise ValueError(f"{KEY_DIR_ENV} must be outside the data folder {self.var}")
        return directory / "hmac.key"

    @property
    def sim_data_dir(self) -> Path:
        """Generated synthetic datasets (Parquet) served by the simulator, plus ground truth."""
        return Path(os.environ.get("CCWH_SIM_DATA_DIR", self.var / "sim"))

    # --- platform API client --------------------------------------------------------------------
    @property
    def http_client_options(self) -> dict[str, int | float]:
        """Overrides of the API client's retry policy (``PlatformClient`` keyword → value) from ``CCWH_HTTP_*``;
        only what is set, so the client's defaults stay the one place the policy is written down."""
        options: dict[str, int | float] = {}
        for name, kind in HTTP_CLIENT_ENV.items():
            text = os.environ.get(f"CCWH_HTTP_{name.upper()}")
            if text is None or not text.strip():
                continue
            try:
                value = kind(text)
            except ValueError:
                value = -1
            if not value >= 0:  # also refuses nan
                raise ValueError(f"CCWH_HTTP_{name.upper()} must be a number >= 0, not {text!r}")
            options[name] = value
        return options

    def ensure_dirs(self) -> None:
        for path in (
            self.landing_dir,
            self.inbox_dir,
            self.restricted_dir,
            self.build_dir,
            self.warehouse_db.parent,
            self.reports_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)


def settings() -> Settings:
    root = _root()
    var = Path(os.environ.get("CCWH_VAR_DIR", root / "var")).resolve()
    return Settings(root=root, var=var)
