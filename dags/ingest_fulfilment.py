"""Airflow DAG ingest_fulfilment: see cc_warehouse.orchestration.families for what it extracts."""

from cc_warehouse.orchestration.dag_factory import build_ingest_dag

build_ingest_dag("fulfilment")
