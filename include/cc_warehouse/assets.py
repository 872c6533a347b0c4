"""Every Airflow Asset of the project, defined once.

Ingestion DAGs emit their family's raw Asset after a load; the transform DAG is scheduled on all of
them and emits the published warehouse Asset. The URIs name the physical files (the deployment's
``CCWH_*`` paths): the four raw families share the restricted raw DuckDB file and are told apart by a
query; the published warehouse is the analysts' file. Names are the stable ids the UI shows. Each event
carries counts (rows received/loaded/quarantined, rows published) in its ``extra``.
"""

from pathlib import Path

from airflow.sdk import Asset

from cc_warehouse.config import settings

_CFG = settings()


def _file_uri(path: Path) -> str:
    return Path(path).absolute().as_uri()


RAW_DOUYIN = Asset(name="ccwh_raw_douyin", uri=f"{_file_uri(_CFG.raw_db)}?family=douyin")
RAW_RED = Asset(name="ccwh_raw_red", uri=f"{_file_uri(_CFG.raw_db)}?family=red")
RAW_FULFILMENT = Asset(name="ccwh_raw_fulfilment", uri=f"{_file_uri(_CFG.raw_db)}?family=fulfilment")
RAW_CRM = Asset(name="ccwh_raw_crm", uri=f"{_file_uri(_CFG.raw_db)}?family=crm")
RAW_ASSETS = [RAW_DOUYIN, RAW_RED, RAW_FULFILMENT, RAW_CRM]

WAREHOUSE = Asset(name="ccwh_warehouse", uri=_file_uri(_CFG.warehouse_db))
