"""The local (embedded) deployment's environment: HMAC key file, Airflow home, stand-in connection.

The key is generated once per machine into ``~/.config/cc_warehouse/`` (or ``CCWH_KEY_DIR``): outside git and
outside every data folder, so copying or sharing var/ never hands over the key that protects it. It is
handed to Airflow tasks through the environment; a real deployment sets CCWH_HMAC_KEY or the Airflow
Variable `ccwh_hmac_secret` from its secret backend instead.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from cc_warehouse.config import Settings

DEMO_TOKEN_ENV = "CCWH_API_TOKEN"


def ensure_key(cfg: Settings) -> str:
    """Return the local HMAC key (``Settings.hmac_key_file``, outside every data folder), creating it (0600,
    32 random bytes as hex) on first use. Never printed. Concurrent first uses agree on one key: the file is
    published with a hard link, which fails if it exists."""
    path = cfg.hmac_key_file
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_name(f".hmac.key.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def airflow_env(cfg: Settings, *, base_url: str, token: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PROJECT_ROOT": str(cfg.root),
            "CCWH_VAR_DIR": str(cfg.var),
            "AIRFLOW_HOME": str(cfg.var / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(cfg.root / "dags"),
            "AIRFLOW__CORE__PLUGINS_FOLDER": str(cfg.root / "plugins"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "PYTHONPATH": os.pathsep.join([str(cfg.root / "include"), str(cfg.root)]),
            # `airflow standalone` starts its components as `airflow ...` from PATH: use this venv's.
            "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]),
            "CCWH_HMAC_KEY": ensure_key(cfg),
            # no publish deadline under `airflow dags test` (see dag_factory.PUBLISH_DEADLINE)
            "CCWH_PUBLISH_DEADLINE_SECONDS": "0",
            "AIRFLOW_CONN_CCWH_PLATFORM_API": json.dumps({"conn_type": "http", "host": base_url, "password": token}),
        }
    )
    env.pop("CCWH_API_BASE_URL", None)
    return env


def airflow_bin() -> str:
    return str(Path(sys.executable).with_name("airflow"))


def init_airflow(env: dict[str, str]) -> None:
    """Migrate the embedded SQLite metadata DB and create the single-writer pool (idempotent). Skipped
    when this Airflow version already initialised this home (each CLI call costs ~10 s of start-up)."""
    from importlib.metadata import version

    marker = Path(env["AIRFLOW_HOME"]) / ".ccwh_initialised"
    stamp = f"apache-airflow {version('apache-airflow')}"
    if marker.exists() and marker.read_text() == stamp and (marker.parent / "airflow.db").exists():
        return
    subprocess.run([airflow_bin(), "db", "migrate"], env=env, check=True, capture_output=True)
    subprocess.run(
        [airflow_bin(), "pools", "set", "duckdb_raw", "1", "one writer per DuckDB file"],
        env=env,
        check=True,
        capture_output=True,
    )
    marker.write_text(stamp)


class StandIn:
    """The offline platform stand-in as a child process on a free loopback port."""

    def __init__(self, cfg: Settings, *, token: str, now: str, chaos: str | None = None):
        self.cfg, self.token, self.now, self.chaos = cfg, token, now, chaos
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> StandIn:
        log_dir = self.cfg.var / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "cc_warehouse_demo.simulator",
            "--data-dir",
            str(self.cfg.sim_data_dir),
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--token",
            self.token,
            "--drop-inbox",
            str(self.cfg.inbox_dir),
            "--now",
            self.now,
        ]
        if self.chaos:
            cmd += ["--chaos", self.chaos]
        self._log = open(log_dir / "simulator.log", "ab")  # noqa: SIM115 - closed in __exit__
        self.proc = subprocess.Popen(
            cmd,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(self.cfg.root / "include")},
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the stand-in exited with {self.proc.returncode}; see {log_dir}/simulator.log")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.2)
        raise TimeoutError("the stand-in did not start listening within 60 s")

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()
