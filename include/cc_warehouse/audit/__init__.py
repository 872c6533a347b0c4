"""Run audit kept in the restricted DuckDB file (counts, hashes and file names only, never PII)."""
