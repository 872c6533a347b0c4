"""Airflow DAG ingest_crm: see cc_warehouse.orchestration.families for what it extracts."""

from cc_warehouse.orchestration.dag_factory import build_ingest_dag

build_ingest_dag("crm")
