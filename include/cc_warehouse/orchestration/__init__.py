"""Task bodies for the DAGs: plain functions, heavy imports inside, JSON-safe inputs and outputs."""
