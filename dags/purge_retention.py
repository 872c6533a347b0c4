"""Airflow DAG purge_retention: removes landing files and quarantine rows past their retention."""

from cc_warehouse.orchestration.dag_factory import build_retention_dag

build_retention_dag()
