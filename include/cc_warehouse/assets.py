"""Every Airflow Asset of the project, defined once.

Ingestion DAGs emit their family's raw Asset after a load; the transform DAG is scheduled on all of
them and emits the published warehouse Asset.
"""

from airflow.sdk import Asset

RAW_DOUYIN = Asset("ccwh://raw/douyin")
RAW_RED = Asset("ccwh://raw/red")
RAW_FULFILMENT = Asset("ccwh://raw/fulfilment")
RAW_CRM = Asset("ccwh://raw/crm")
RAW_ASSETS = [RAW_DOUYIN, RAW_RED, RAW_FULFILMENT, RAW_CRM]

WAREHOUSE = Asset("ccwh://warehouse/analytics")
