"""docker-compose.yml cannot be started here (no Docker engine): check that it parses, follows the
official Airflow 3 layout, and that every path it mounts and every module it runs exists."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
LOCK = (ROOT / "requirements.lock").read_text(encoding="utf-8")


def _pinned(name: str) -> str:
    return re.search(rf"^{re.escape(name)}==(\S+)$", LOCK, re.M).group(1)


def test_services_follow_the_official_layout_plus_stand_in():
    assert set(COMPOSE["services"]) == {
        "postgres", "redis", "airflow-apiserver", "airflow-scheduler", "airflow-dag-processor",
        "airflow-worker", "airflow-triggerer", "airflow-init", "simulator",
    }
    worker_env = COMPOSE["services"]["airflow-worker"]["environment"]
    assert worker_env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert worker_env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql")


def test_every_bind_mount_exists():
    mounts = set()
    for name, service in COMPOSE["services"].items():
        for volume in service.get("volumes", []):
            host = volume.split(":")[0]
            if host.startswith((".", "/")):
                mounts.add(host)
            else:
                assert host in COMPOSE["volumes"], f"{name}: named volume {host} not declared"
    assert mounts, "no project folders are mounted"
    for host in mounts:
        assert (ROOT / host).exists(), f"mounted path {host} does not exist"


def test_every_module_it_runs_exists():
    commands = []
    for service in COMPOSE["services"].values():
        command = service.get("command", "")
        commands.append(command if isinstance(command, str) else " ".join(command))
    modules = {m for c in commands for m in re.findall(r"python -m ([\w.]+)", c)}
    assert {"cc_warehouse_demo.simulator", "cc_warehouse_demo.datagen"} <= modules
    for module in modules:
        path = ROOT / "include" / module.replace(".", "/")
        assert (path / "__main__.py").exists() or path.with_suffix(".py").exists(), module


def test_image_and_extras_match_the_lock():
    image = COMPOSE["services"]["airflow-scheduler"]["image"]
    assert f"apache/airflow:{_pinned('apache-airflow')}" in image
    extras = COMPOSE["services"]["airflow-scheduler"]["environment"]["_PIP_ADDITIONAL_REQUIREMENTS"]
    for name in ("dbt-duckdb", "duckdb", "great-expectations"):
        assert f"{name}=={_pinned(name)}" in extras


def test_no_secret_values_in_the_file():
    text = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
    assert "CCWH_HMAC_KEY: ${CCWH_HMAC_KEY:?" in text  # required from the environment, no default
