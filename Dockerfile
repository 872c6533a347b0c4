# The production image: Airflow's official image plus the project's pinned dependencies, installed once at
# build time (not at every container start). requirements.lock is installed under Airflow's constraints
# for this Airflow and Python version, merged so that the lock's pins win (deploy/constraints.py).
#   docker compose build      (or: docker build -t cc-warehouse-airflow:3.3.2 .)
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}
ARG AIRFLOW_VERSION
ARG PYTHON_VERSION
ARG AIRFLOW_CONSTRAINTS_URL=https://raw.githubusercontent.com/apache/airflow/constraints-${AIRFLOW_VERSION}/constraints-${PYTHON_VERSION}.txt

COPY --chown=airflow:0 requirements.lock deploy/constraints.py /opt/ccwh/build/
RUN curl -fsSL "${AIRFLOW_CONSTRAINTS_URL}" -o /opt/ccwh/build/airflow-constraints.txt \
 && python /opt/ccwh/build/constraints.py /opt/ccwh/build/airflow-constraints.txt /opt/ccwh/build/requirements.lock \
      > /opt/ccwh/build/constraints.txt \
 && pip install --no-cache-dir "apache-airflow==${AIRFLOW_VERSION}" -r /opt/ccwh/build/requirements.lock \
      -c /opt/ccwh/build/constraints.txt

# The project itself (compose also mounts these folders read-only, so a local edit needs no rebuild).
COPY --chown=airflow:0 dags /opt/airflow/project/dags
COPY --chown=airflow:0 plugins /opt/airflow/project/plugins
COPY --chown=airflow:0 include /opt/airflow/project/include
COPY --chown=airflow:0 dbt_project /opt/airflow/project/dbt_project
COPY --chown=airflow:0 expectations /opt/airflow/project/expectations
COPY --chown=airflow:0 deploy /opt/airflow/project/deploy
ENV PROJECT_ROOT=/opt/airflow/project \
    PYTHONPATH=/opt/airflow/project/include:/opt/airflow/project
