"""The lock files pin every dependency pyproject.toml asks for, at a version it allows."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s\\;]+)", re.M)


def _pins(lock: str) -> dict[str, str]:
    text = (ROOT / "requirements" / lock).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def _wanted(extras: tuple[str, ...]) -> list[Requirement]:
    wanted = [Requirement(r) for r in PROJECT["dependencies"]]
    for extra in extras:
        wanted += [Requirement(r) for r in PROJECT["optional-dependencies"][extra]]
    return [r for r in wanted if canonicalize_name(r.name) != "intake"]


@pytest.mark.parametrize(
    ("lock", "extras"),
    [("run.lock", ("embedded", "media")), ("dev.lock", ("embedded", "media", "dev"))],
)
def test_every_dependency_is_pinned_with_hashes(lock: str, extras: tuple[str, ...]) -> None:
    pins = _pins(lock)
    for requirement in _wanted(extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{name} is not in requirements/{lock}: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{name}=={pins[name]} in requirements/{lock} does not satisfy {requirement}: "
            "run make lock"
        )
    entries = re.split(r"\n(?=\S)", (ROOT / "requirements" / lock).read_text())
    unhashed = [e.split()[0] for e in entries if PIN.match(e) and "--hash=sha256:" not in e]
    assert not unhashed, f"pinned without a hash in requirements/{lock}: {unhashed}"
