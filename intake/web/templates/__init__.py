"""HTML pages, rendered by Jinja2 with autoescaping, in the reader's language.

Each locale has an environment of its own with its catalog installed (Jinja2's i18n
extension, new-style gettext: ``{{ _("Send %(n)s files", n=3) }}`` escapes and formats).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from intake.web.i18n import Catalogs, Localizer, isolate


def _gettext(localizer: Localizer) -> Callable[..., Markup]:
    """New-style ``_()`` whose values are escaped and bidi-isolated."""

    def gettext(message: str, **values: Any) -> Markup:
        text = Markup(localizer.translations.gettext(message))  # noqa: S704 (our catalogs)
        return text % {k: isolate(v) for k, v in values.items()} if values else text

    return gettext


class Templates:
    def __init__(self, catalogs: Catalogs | None = None) -> None:
        self.catalogs = catalogs or Catalogs(["en"])
        self._envs = {tag: self._environment(self.catalogs.get(tag)) for tag in self.catalogs.tags}

    @staticmethod
    def _environment(localizer: Localizer) -> jinja2.Environment:
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(Path(__file__).parent),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            extensions=["jinja2.ext.i18n"],
        )
        env.install_gettext_translations(localizer.translations, newstyle=True)  # type: ignore[attr-defined]
        env.globals.update(
            gettext=_gettext(localizer), number=localizer.number, size=localizer.size
        )
        return env

    def render(self, name: str, locale: str | None = None, **context: Any) -> str:
        env = self._envs[locale if locale in self._envs else self.catalogs.default]
        return env.get_template(name).render(**context)
