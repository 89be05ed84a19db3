"""HTML pages, rendered by Jinja2 with autoescaping."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2


class Templates:
    def __init__(self) -> None:
        self._env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(Path(__file__).parent),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
        )

    def render(self, name: str, **context: Any) -> str:
        return self._env.get_template(name).render(**context)
