"""Fixtures of the integration tests that run `intake serve` as a process."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from tests.integration.serving import serving


@pytest.fixture
async def served(tmp_path: Path, request: pytest.FixtureRequest) -> AsyncIterator[dict[str, Any]]:
    """``intake serve`` on embedded defaults (``INTAKE_*`` overrides by indirect param)."""
    async with serving(tmp_path, getattr(request, "param", {})) as running:
        yield running
