"""The HMAC key read through Airflow never reaches a task log (issue 9, keys).

A throw-away DAG runs one real task under ``airflow dags test``: it loads the key with the product's
``tokens.load_key()`` from the Airflow Variable ``ccwh_hmac_secret`` (the environment key unset), then
writes the key to the task's log on purpose through a logger. A control value read from a Variable whose
name Airflow does not treat as sensitive is logged the same way and must appear in clear: so the log capture
works, and it is the masking that hides the key.

Found on the way: under ``airflow dags test`` (how the demo and the end-to-end tests run DAGs) Airflow masks
nothing — tasks run in-process and no redaction step is in the log pipeline — so ``load_key`` also puts its
own filter on the root logger's handlers. ``print`` to stdout is masked only by a real worker's supervisor.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import textwrap
from pathlib import Path

from cc_warehouse.privacy.tokens import AIRFLOW_VARIABLE_KEY, ENV_KEY, ENV_KEY_VERSION

ROOT = Path(__file__).resolve().parents[2]
AIRFLOW = str(Path(sys.executable).with_name("airflow"))

DAG = textwrap.dedent(
    """
    import logging
    from datetime import datetime

    from airflow.sdk import Variable, dag, task


    @dag(dag_id="key_masking_probe", schedule=None, start_date=datetime(2026, 1, 1), catchup=False)
    def key_masking_probe():
        @task
        def read_key():
            from cc_warehouse.privacy.tokens import load_key

            key = load_key()
            log = logging.getLogger("cc_warehouse.probe")
            log.info("KEY-LINE %s", key.secret.decode())
            control = Variable.get("ccwh_probe_control")
            log.info("CONTROL-LINE %s", control)

        read_key()


    key_masking_probe()
    """
)


def test_the_hmac_key_from_the_airflow_variable_is_masked_in_task_logs(tmp_path):
    secret, control = secrets.token_hex(32), "ctl" + secrets.token_hex(16)
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "key_masking_probe.py").write_text(DAG, encoding="utf-8")
    home = tmp_path / "airflow"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "CCWH_"))}
    env.pop(ENV_KEY, None)
    env.pop(ENV_KEY_VERSION, None)
    env.update(
        {
            "AIRFLOW_HOME": str(home),
            "AIRFLOW__CORE__DAGS_FOLDER": str(dags),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DEFAULT_TIMEZONE": "Asia/Shanghai",
            "PYTHONPATH": os.pathsep.join([str(ROOT / "include"), str(ROOT)]),
            f"AIRFLOW_VAR_{AIRFLOW_VARIABLE_KEY.upper()}": secret,
            "AIRFLOW_VAR_CCWH_PROBE_CONTROL": control,
        }
    )
    subprocess.run([AIRFLOW, "db", "migrate"], env=env, check=True, capture_output=True)
    run = subprocess.run(
        [AIRFLOW, "dags", "test", "key_masking_probe", "2026-11-16T00:00:00+08:00"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    log_files = [p for p in (home / "logs").rglob("*") if p.is_file()]
    texts = {str(p.relative_to(home)): p.read_text(encoding="utf-8", errors="replace") for p in log_files}
    texts["<dags test output>"] = output
    task_logs = {name: text for name, text in texts.items() if "KEY-LINE" in text}
    assert task_logs, f"the task's log lines were not found in {sorted(texts)}"
    assert any(control in text for text in task_logs.values()), "control value not logged: the check is blind"
    assert any("KEY-LINE ***" in text for text in task_logs.values())
    assert [name for name, text in texts.items() if secret in text] == []
