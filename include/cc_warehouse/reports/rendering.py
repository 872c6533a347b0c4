"""Jinja2 environment for the report templates: HTML autoescaping on, undefined names are errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


def render(template: str, **context: Any) -> str:
    """Render ``templates/<template>`` with every value escaped."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env.get_template(template).render(**context)
