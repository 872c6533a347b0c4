"""An older DuckDB release in a throw-away venv, to prove analysts' clients can open the published file.

The venv is cached under the system temp dir (one per version), built with the project's uv from the
package index; DuckDB 2.0 in the project's venv is never involved in the reading side.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

OLDEST_CLIENT = "1.1.3"  # the oldest 1.1.x the README promises (storage version v1.1.0)

READER = r"""
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
con.execute("set TimeZone = 'UTC'")
tables = con.execute(
    "select table_schema, table_name from information_schema.tables order by all").fetchall()
out = {"version": duckdb.__version__, "tables": {}}
for schema, table in tables:
    rows = con.execute(f'select columns(*)::varchar from "{schema}"."{table}" order by all').fetchall()
    out["tables"][f"{schema}.{table}"] = [list(r) for r in rows]
print(json.dumps(out))
"""


def old_duckdb_python(version: str = OLDEST_CLIENT) -> Path:
    """Python of a cached venv holding only ``duckdb==version`` (created on first use)."""
    venv = Path(tempfile.gettempdir()) / f"ccwh-duckdb-{version}-venv"
    python = venv / "bin" / "python"
    uv = Path(sys.executable).with_name("uv")
    if not (venv / ".ready").exists():
        subprocess.run([str(uv), "venv", "-q", "--python", sys.executable, str(venv)], check=True)
        subprocess.run([str(uv), "pip", "install", "-q", "--python", str(python), f"duckdb=={version}"], check=True)
        (venv / ".ready").touch()
    return python


def read_with_old_duckdb(path: Path, version: str = OLDEST_CLIENT) -> dict:
    """Every table of ``path`` as sorted text rows, read read-only by DuckDB ``version``."""
    proc = subprocess.run(
        [str(old_duckdb_python(version)), "-c", READER, str(path)], capture_output=True, text=True, timeout=300
    )
    if proc.returncode != 0:
        raise AssertionError(f"DuckDB {version} could not read {path}: {proc.stderr[-2000:]}")
    return json.loads(proc.stdout)


def read_with_current_duckdb(path: Path) -> dict:
    """The same rendering by the project's own DuckDB, for comparison."""
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        con.execute("set TimeZone = 'UTC'")
        tables = con.execute("select table_schema, table_name from information_schema.tables order by all").fetchall()
        return {
            f"{s}.{t}": [
                list(r) for r in con.execute(f'select columns(*)::varchar from "{s}"."{t}" order by all').fetchall()
            ]
            for s, t in tables
        }
