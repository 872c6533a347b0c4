"""Content-commerce warehouse: ingestion, privacy, quality and publishing logic imported by the DAGs."""
