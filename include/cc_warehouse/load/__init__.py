"""Loads from the landing zone into the restricted raw DuckDB file."""
