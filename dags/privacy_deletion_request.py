"""Airflow DAG privacy_deletion_request: removes one data subject everywhere (PIPL art. 47)."""

from cc_warehouse.orchestration.dag_factory import build_deletion_dag

build_deletion_dag()
