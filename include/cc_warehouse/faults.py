"""Named kill points for the fault-injection campaign (``make chaos``).

``fault_point("name")`` does nothing unless the environment variable ``CCWH_FAULT_POINT`` equals ``name``;
then the process kills itself with SIGKILL, exactly like an OOM kill or a lost worker: no ``finally``,
no ``atexit``, no flush. The campaign reruns the pipeline afterwards and checks that nothing was lost.
"""

from __future__ import annotations

import os
import signal

ENV = "CCWH_FAULT_POINT"
POINTS = (
    "mid_page",  # paging: first page of a window read, the rest not
    "after_landing_before_manifest",  # landing: data file written, manifest not yet pointed at it
    "after_receipt_before_unlink",  # CRM inbox: file landed and receipted, still in the processing area
    "after_manifest_before_load",  # extract task done, load task never ran
    "mid_load",  # load: first file's partition replaced inside the open transaction
    "before_commit",  # load: everything inserted, commit not reached
    "mid_dbt",  # dbt build killed (with its child) while models are being built
    "mid_gate",  # GX gate: validations ran and were stored, verdict not acted on
    "publish_before_rename",  # publish: temp file complete and fsynced, not renamed
    "publish_after_rename",  # publish: renamed, directory not fsynced, cleanup not run
    "mid_purge",  # retention: a partition being removed
)


def fault_point(name: str) -> None:
    """SIGKILL this process when ``CCWH_FAULT_POINT`` is ``name`` (a no-op otherwise)."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
