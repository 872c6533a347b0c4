"""The pipeline benchmark (`make bench`, `make bench-l`): see ``run``."""
