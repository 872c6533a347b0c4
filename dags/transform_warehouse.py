"""Airflow DAG transform_warehouse: dbt build → Great Expectations gate → atomic publish → reports."""

from cc_warehouse.orchestration.dag_factory import build_transform_dag

build_transform_dag()
