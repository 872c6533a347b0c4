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
        "postgres",
        "redis",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-worker",
        "airflow-triggerer",
        "airflow-init",
        "simulator",
    }
    worker_env = COMPOSE["services"]["airflow-worker"]["environment"]
    assert _env_file(ROOT / "deploy" / "airflow.env")["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
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


AIRFLOW_SERVICES = [
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-worker",
    "airflow-triggerer",
    "airflow-init",
]
TEXT = (ROOT / "docker-compose.yml").read_text(encoding="utf-8")
DOCKERFILE = (ROOT / "Dockerfile").read_text(encoding="utf-8")


def _env_file(path: Path) -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )
    return {k.strip(): v.strip() for k, v in pairs}


def test_image_is_built_from_the_dockerfile_with_the_lock_and_airflows_constraints():
    for name in AIRFLOW_SERVICES:
        service = COMPOSE["services"][name]
        assert service["build"]["dockerfile"] == "Dockerfile", name
        assert "_PIP_ADDITIONAL_REQUIREMENTS" not in service.get("environment", {}), name
    assert "_PIP_ADDITIONAL_REQUIREMENTS" not in TEXT
    assert re.search(rf"^ARG AIRFLOW_VERSION={re.escape(_pinned('apache-airflow'))}$", DOCKERFILE, re.M)
    assert "FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}" in DOCKERFILE
    assert "constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt" in DOCKERFILE
    install = re.search(r"pip install[^\n]*\\\n[^\n]*", DOCKERFILE).group(0)
    assert "requirements.lock" in install and "-c /opt/ccwh/build/constraints.txt" in install


def test_constraints_merge_keeps_airflows_pins_and_lets_the_lock_win():
    import importlib.util

    spec = importlib.util.spec_from_file_location("constraints", ROOT / "deploy" / "constraints.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    airflow = "# header\nduckdb==1.1.3\nboto3==1.40.0\nPyYAML==6.0.1\n"
    merged = module.pins(module.merge(airflow, LOCK))
    assert merged["duckdb"] == _pinned("duckdb")  # ours
    assert merged["boto3"] == "1.40.0"  # the image's own, kept
    assert merged["pyyaml"] == _pinned("pyyaml")


def test_secrets_are_required_not_defaulted():
    env = COMPOSE["services"]["airflow-worker"]["environment"]
    for key in (
        "AIRFLOW__CORE__FERNET_KEY",
        "AIRFLOW__API_AUTH__JWT_SECRET",
        "CCWH_HMAC_KEY",
        "AIRFLOW_CONN_CCWH_ALERT_SMTP",
    ):
        assert re.fullmatch(rf"\$\{{{key}:\?[^}}]+\}}", env[key]), key
    # every Airflow component gets the same secrets (one JWT secret, or Celery tasks fail "Invalid auth token")
    for name in AIRFLOW_SERVICES:
        env = COMPOSE["services"][name]["environment"]
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"].startswith("${AIRFLOW__API_AUTH__JWT_SECRET:?"), name
        assert env["AIRFLOW__CORE__FERNET_KEY"].startswith("${AIRFLOW__CORE__FERNET_KEY:?"), name
    example = _env_file(ROOT / ".env.example")
    for key in ("AIRFLOW__CORE__FERNET_KEY", "AIRFLOW__API_AUTH__JWT_SECRET", "CCWH_HMAC_KEY", "CCWH_API_TOKEN"):
        assert key in example and example[key] == "", f".env.example must name {key} without a value"
    assert "AIRFLOW_CONN_CCWH_ALERT_SMTP" in example


def test_shared_settings_come_from_one_env_file():
    shared = _env_file(ROOT / "deploy" / "airflow.env")
    assert shared["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    for name in AIRFLOW_SERVICES:
        service = COMPOSE["services"][name]
        assert service["env_file"] == ["deploy/airflow.env"], name
        assert not set(shared) & set(service["environment"]), f"{name} repeats a shared setting"
    assert not any("SECRET" in k or "FERNET" in k or "HMAC" in k for k in shared)
    assert "deploy/airflow.env" in (ROOT / "tests" / "deploy" / "test_celery_deployment.py").read_text()


def test_init_chowns_the_volumes_for_the_worker_uid():
    init = COMPOSE["services"]["airflow-init"]
    assert init["user"] == "0:0"
    script = init["command"][-1]
    assert re.search(r'chown -R "\$\{AIRFLOW_UID:-50000\}:0" /opt/airflow/var /opt/airflow/logs', script)
    assert script.index("cc_warehouse_demo.datagen") < script.index("chown")  # files it writes as root are handed over
    assert COMPOSE["services"]["airflow-worker"]["user"] == "${AIRFLOW_UID:-50000}:0"


def test_logs_live_on_a_volume():
    assert "airflow-logs" in COMPOSE["volumes"]
    for name in AIRFLOW_SERVICES:
        assert "airflow-logs:/opt/airflow/logs" in COMPOSE["services"][name]["volumes"], name


def test_api_server_health_check_uses_the_monitor_endpoint():
    test = COMPOSE["services"]["airflow-apiserver"]["healthcheck"]["test"]
    assert "http://localhost:8080/api/v2/monitor/health" in test
    worker_deps = COMPOSE["services"]["airflow-worker"]["depends_on"]
    assert worker_deps["airflow-apiserver"]["condition"] == "service_healthy"


def test_simulator_gets_no_pipeline_secrets():
    sim = COMPOSE["services"]["simulator"]
    env = sim["environment"]
    assert set(env) == {"PYTHONPATH", "CCWH_API_TOKEN"}
    assert "env_file" not in sim
    assert "HMAC" not in yaml.safe_dump(sim)


def test_no_secret_values_in_the_file():
    assert "CCWH_HMAC_KEY: ${CCWH_HMAC_KEY:?" in TEXT  # required from the environment, no default
    assert not re.search(r"FERNET_KEY: *[A-Za-z0-9_-]{40,}", TEXT)
