"""Throw-away PostgreSQL and Redis on loopback, and Airflow components as child processes.

Every process is started in its own session and stopped by its own process group on exit, even when the
test fails. Data lives in temp dirs; ports are free ephemeral ports on 127.0.0.1.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from cc_warehouse_demo.localenv import free_port


def wait_for_port(port: int, proc: subprocess.Popen, log: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}: {log.read_text(errors='replace')[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout:.0f}s; log: {log}")


class Processes:
    """Child processes in their own sessions; ``stop()`` ends each group: SIGTERM, then SIGKILL."""

    def __init__(self, log_dir: Path):
        self.log_dir = log_dir
        self.procs: list[tuple[str, subprocess.Popen]] = []

    def start(
        self, name: str, cmd: list[str], env: dict | None = None, cwd: Path | None = None, user: str | None = None
    ) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child's life
        if user:
            cmd = ["runuser", "-u", user, "--", *cmd]
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs.append((name, proc))
        return proc

    def stop(self) -> None:
        for _, proc in reversed(self.procs):
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        deadline = time.monotonic() + 30
        for _, proc in reversed(self.procs):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            try:  # the group may hold grandchildren (Celery pool, gunicorn/uvicorn workers)
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            if proc.poll() is None:
                proc.wait(timeout=10)


def _pg_bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    if not initdb:
        raise RuntimeError("PostgreSQL server binaries not found: `make test-deploy` installs them (apt-get)")
    return Path(initdb).resolve().parent


class PostgresServer:
    """initdb into a temp dir and run ``postgres`` on 127.0.0.1:<free port> (as `postgres` when root)."""

    def __init__(self, procs: Processes, user: str = "airflow", password: str = "airflow", db: str = "airflow"):
        self.procs, self.user, self.password, self.db = procs, user, password, db
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ccwh-pg-"))
        self.os_user = "postgres" if os.geteuid() == 0 else None

    @property
    def sqlalchemy_url(self) -> str:
        return f"postgresql+psycopg2://{self.user}:{self.password}@127.0.0.1:{self.port}/{self.db}"

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user={self.user} password={self.password} dbname={self.db}"

    def _run(self, cmd: list[str]) -> None:
        if self.os_user:
            cmd = ["runuser", "-u", self.os_user, "--", *cmd]
        subprocess.run(cmd, check=True, capture_output=True)

    def start(self) -> PostgresServer:
        bindir = _pg_bindir()
        if self.os_user:
            pw = pwd.getpwnam(self.os_user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)
        pwfile = self.dir / "pw"
        pwfile.write_text(self.password + "\n")
        if self.os_user:
            os.chown(pwfile, pw.pw_uid, pw.pw_gid)
        data = self.dir / "data"
        self._run(
            [
                str(bindir / "initdb"),
                "-D",
                str(data),
                "-U",
                self.user,
                f"--pwfile={pwfile}",
                "--auth=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        )
        proc = self.procs.start(
            "postgres",
            [
                str(bindir / "postgres"),
                "-D",
                str(data),
                "-p",
                str(self.port),
                "-k",
                str(self.dir),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "fsync=off",
                "-c",
                "max_connections=200",
            ],
            user=self.os_user,
        )
        wait_for_port(self.port, proc, self.procs.log_dir / "postgres.log")
        for _ in range(50):  # accepting TCP before it accepts logins
            if (
                subprocess.run(
                    [str(bindir / "pg_isready"), "-h", "127.0.0.1", "-p", str(self.port)], capture_output=True
                ).returncode
                == 0
            ):
                break
            time.sleep(0.2)
        import psycopg2

        con = psycopg2.connect(self.dsn.replace(f"dbname={self.db}", "dbname=postgres"))
        try:
            con.autocommit = True  # CREATE DATABASE cannot run in a transaction
            con.cursor().execute(f'create database "{self.db}"')
        finally:
            con.close()
        return self

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


class RedisServer:
    def __init__(self, procs: Processes):
        self.procs = procs
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="ccwh-redis-"))

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        binary = shutil.which("redis-server") or "/usr/bin/redis-server"
        proc = self.procs.start(
            "redis",
            [
                binary,
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.dir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
            ],
        )
        wait_for_port(self.port, proc, self.procs.log_dir / "redis.log")
        return self

    def cleanup(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
