"""Settings read from the TOML file and the environment, and the documented default file.

Each setting's type, default, help and checks come from its declaration in
:mod:`intake.core.settings`; this module walks those declarations (:func:`setting_table`),
converts and validates values (a bad one stops start-up naming its key) and renders
``config/intake.toml`` (:func:`render_toml`).
"""

from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast, get_type_hints

from intake.core.errors import ConfigurationError
from intake.core.settings import Settings
from intake.core.settings.declaring import ENV_PREFIX, ByteSize, GiB, MiB, Secret


@dataclass(frozen=True)
class SettingInfo:
    section: str
    key: str
    type: Any
    default: Any
    help: str
    choices: tuple[str, ...] | None
    minimum: float | None
    check: Callable[[Any], str | None] | None

    @property
    def name(self) -> str:
        return f"{self.section}.{self.key}"

    @property
    def env_var(self) -> str:
        return f"{ENV_PREFIX}{self.section}_{self.key}".upper()


def setting_table() -> Iterator[SettingInfo]:
    """Every setting, in declaration order."""
    for section in dataclasses.fields(Settings):
        section_type = get_type_hints(Settings)[section.name]
        hints = get_type_hints(section_type)
        for f in dataclasses.fields(section_type):
            factory = cast(Callable[[], Any], f.default_factory)
            default = f.default if f.default is not dataclasses.MISSING else factory()
            yield SettingInfo(
                section=section.name,
                key=f.name,
                type=hints[f.name],
                default=default,
                help=f.metadata["help"],
                choices=f.metadata["choices"],
                minimum=f.metadata["minimum"],
                check=f.metadata["check"],
            )


_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 10**3, "mb": 10**6, "gb": 10**9, "tb": 10**12,
          "kib": 2**10, "mib": 2**20, "gib": 2**30, "tib": 2**40}  # fmt: skip


def parse_size(value: Any) -> ByteSize:
    if isinstance(value, bool):
        raise ValueError("expected a size such as 30 MiB")
    if isinstance(value, int):
        return ByteSize(value)
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"{value!r} is not a size such as 30 MiB or 31457280")
    number, unit = match.groups()
    return ByteSize(int(float(number) * _UNITS[(unit or "b").lower()]))


def _convert(info: SettingInfo, raw: Any, from_env: bool) -> Any:
    kind = info.type
    if kind is ByteSize:
        return parse_size(raw)
    if kind is bool:
        if isinstance(raw, bool):
            return raw
        if from_env and str(raw).lower() in ("1", "true", "yes", "on"):
            return True
        if from_env and str(raw).lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{raw!r} is not true or false")
    if kind is int:
        if isinstance(raw, bool) or not isinstance(raw, int | str):
            raise ValueError(f"{raw!r} is not a whole number")
        return int(raw)
    if kind is float:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError(f"{raw!r} is not a number")
        return float(raw)
    if kind is Secret or kind is str:
        if not isinstance(raw, str):
            raise ValueError(f"{raw!r} is not a string")
        return kind(raw)
    if kind == tuple[str, ...]:
        items = raw.split(",") if from_env and isinstance(raw, str) else raw
        if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
            raise ValueError(f"{raw!r} is not a list of strings")
        return tuple(i.strip() for i in items if i.strip())
    raise TypeError(f"no converter for {kind}")


def _validate(info: SettingInfo, value: Any) -> None:
    if info.choices is not None and value not in info.choices:
        raise ValueError(f"{value!r} is not one of {', '.join(info.choices)}")
    if info.minimum is not None and value < info.minimum:
        raise ValueError(f"{value} is below the minimum {int(info.minimum)}")
    if info.check is not None and (problem := info.check(value)):
        raise ValueError(problem)


def load_settings(path: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Settings from the TOML file at ``path`` (if any), then ``INTAKE_*`` variables.

    Raises :class:`ConfigurationError` naming the key of the first bad value.
    """
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigurationError(f"cannot read {path}: {exc}") from exc
    table = list(setting_table())
    known = {info.name for info in table}
    for section, values in data.items():
        if not isinstance(values, dict):
            raise ConfigurationError(f"{section}: expected a [{section}] table")
        for key in values:
            if f"{section}.{key}" not in known:
                raise ConfigurationError(f"{section}.{key}: unknown setting")
    sections: dict[str, dict[str, Any]] = {}
    for info in table:
        value = info.default
        source = "default"
        if info.key in data.get(info.section, {}):
            value, source = data[info.section][info.key], str(path)
        if info.env_var in env:
            value, source = env[info.env_var], info.env_var
        try:
            if source != "default":
                value = _convert(info, value, from_env=source == info.env_var)
            _validate(info, value)
        except ValueError as exc:
            raise ConfigurationError(f"{info.name} (from {source}): {exc}") from exc
        sections.setdefault(info.section, {})[info.key] = value
    hints = get_type_hints(Settings)
    return Settings(**{name: hints[name](**values) for name, values in sections.items()})


def default_config_path(environ: Mapping[str, str] | None = None) -> Path | None:
    """``$INTAKE_CONFIG``, else ``./config/intake.toml`` when it exists."""
    env = os.environ if environ is None else environ
    if env.get("INTAKE_CONFIG"):
        return Path(env["INTAKE_CONFIG"])
    candidate = Path("config") / "intake.toml"
    return candidate if candidate.is_file() else None


def _toml_value(value: Any, kind: Any) -> str:
    if kind is ByteSize:
        for unit, size in (("GiB", GiB), ("MiB", MiB), ("KiB", 1024)):
            if value and value % size == 0:
                return f'"{value // size} {unit}"'
        return str(int(value))
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'


def render_toml() -> str:
    """The documented default configuration file, generated from the table."""
    lines = [
        "# intake configuration. Every key is shown with its default.",
        "# Each can be overridden by an environment variable, named on the line above it.",
        "# Generated by `intake settings --toml`; a test keeps this file and the code in step.",
    ]
    section = None
    for info in setting_table():
        if info.section != section:
            section = info.section
            lines += ["", f"[{section}]"]
        extra = f" One of: {', '.join(info.choices)}." if info.choices else ""
        lines.append(f"# {info.help}{extra} (env {info.env_var})")
        lines.append(f"{info.key} = {_toml_value(info.default, info.type)}")
    return "\n".join(lines) + "\n"
