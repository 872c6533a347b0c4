"""Offline stand-in for the platform APIs: `serve_in_thread(data_dir, token)` or `python -m ...simulator`."""

from cc_warehouse_demo.simulator.server import serve_in_thread

__all__ = ["serve_in_thread"]
