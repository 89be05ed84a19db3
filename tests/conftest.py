"""Real components for the tests: SeaweedFS on free loopback ports, PostgreSQL, SQLite."""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from aiohttp.web import BaseRunner
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.engine import create_engine
from intake.adapters.db.migrate import migrate
from intake.adapters.db.submissions import SqlSubmissionRepository
from intake.adapters.db.transactions import Database
from intake.adapters.embedded.seaweedfs import EmbeddedS3, run_seaweedfs
from intake.adapters.s3 import S3Connection, S3ObjectStore
from intake.core.clock import Clock, utcnow
from intake.core.object_store import ObjectStore
from intake.core.settings import Settings
from intake.core.settings.loading import load_settings
from intake.submissions.ports import SubmissionRepository
from intake.web.app import create_app
from intake.web.serving import PrivateAppRunner
from tests import timeout_dump
from tests.openapi_recorder import (  # noqa: F401  (session hooks of the recorder)
    RECORDER,
    pytest_sessionfinish,
    pytest_terminal_summary,
    pytest_testnodedown,
)

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "media-samples"


def pytest_configure(config: pytest.Config) -> None:
    timeout_dump.install()


DEFAULT_PG = "postgresql://postgres@127.0.0.1:5432/test"
TEST_ADDRESS_SECRET = "the tests' address secret"
TEST_MASTER_KEY = "tests:" + base64.b64encode(bytes(range(32))).decode()


class PrivateTestServer(TestServer):
    """The test server, with connections handled as ``intake serve`` handles them."""

    async def _make_runner(self, **kwargs: Any) -> BaseRunner:
        return PrivateAppRunner(self.app, **kwargs)


def make_settings(**env: str) -> Settings:
    """Settings as the service would load them, with ``INTAKE_*`` overrides given as
    ``limits_photo_max_bytes="1 MiB"``."""
    environ = {"INTAKE_SERVER_STORAGE_DIR": str(ROOT / "storage"),
               "INTAKE_SERVER_ADDRESS_SECRET": TEST_ADDRESS_SECRET,
               "INTAKE_KEYS_MASTER_KEY": TEST_MASTER_KEY}  # fmt: skip
    environ.update({f"INTAKE_{key.upper()}": value for key, value in env.items()})
    return load_settings(None, environ)


@pytest.fixture(scope="session")
async def seaweedfs(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[EmbeddedS3]:
    async with run_seaweedfs(
        tmp_path_factory.mktemp("seaweedfs"), ROOT / "storage" / "seaweedfs-s3.json"
    ) as server:
        yield server


@pytest.fixture(scope="session")
async def s3_store(seaweedfs: EmbeddedS3) -> AsyncIterator[S3ObjectStore]:
    """A store on a bucket of its own for this run."""
    store = S3ObjectStore(
        S3Connection(
            endpoint=seaweedfs.endpoint,
            region="us-east-1",
            bucket=f"intake-test-{secrets.token_hex(4)}",
            access_key_id=seaweedfs.access_key_id,
            secret_access_key=seaweedfs.secret_access_key,
        )
    )
    await store.ensure_bucket()
    yield store
    store.close()


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The PostgreSQL server the tests may create databases on (trust auth, loopback)."""
    return os.environ.get("INTAKE_TEST_DATABASE_URL", DEFAULT_PG)


@pytest.fixture
async def postgres_url(postgres_server: str) -> AsyncIterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped after it."""
    url = make_url(postgres_server)
    name = f"intake_test_{secrets.token_hex(6)}"
    admin_dsn = url.set(drivername="postgresql", database="postgres").render_as_string(False)
    admin = await asyncpg.connect(admin_dsn)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield url.set(drivername="postgresql+asyncpg", database=name).render_as_string(False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each backend in turn: SQLite in a fresh file, PostgreSQL in a fresh database."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'intake.db'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    await migrate(engine)
    yield engine
    await engine.dispose()


@pytest.fixture
def repository(engine: AsyncEngine) -> SqlSubmissionRepository:
    return SqlSubmissionRepository(Database(engine))


@pytest.fixture
async def make_client(s3_store: S3ObjectStore, tmp_path: Path) -> AsyncIterator[Callable[..., Any]]:
    """Start the real app on a loopback port, against SeaweedFS and a fresh SQLite.

    ``object_store``/``repository`` replace the real ones (for fault injection around
    them); ``configure`` may add signals or middlewares before the app starts; ``clock``
    (e.g. a :class:`tests.clocks.ShiftedClock`) moves time instead of waiting; ``server``
    holds options of aiohttp's connection handler (``lingering_time``). Every
    answer is recorded and checked against the app's OpenAPI document at the end.
    """
    clients: list[TestClient[Any, Any]] = []

    async def start(
        settings: Settings | None = None,
        *,
        object_store: ObjectStore | None = None,
        repository: SubmissionRepository | None = None,
        configure: Callable[[web.Application], None] | None = None,
        clock: Clock = utcnow,
        server: dict[str, Any] | None = None,
        **env: str,
    ) -> TestClient[Any, Any]:
        env.setdefault("database_url", f"sqlite+aiosqlite:///{tmp_path / 'app.db'}")
        env.setdefault("server_data_dir", str(tmp_path / "var"))
        env.setdefault("workers_in_process", "false")  # tests run the worker themselves
        env.setdefault("uploads_janitor_seconds", "0")  # and the janitor
        app = create_app(
            settings or make_settings(**env),
            object_store=object_store or s3_store,
            repository=repository,
            clock=clock,
        )
        RECORDER.install(app)
        if configure is not None:
            configure(app)
        test_server = PrivateTestServer(app, host="127.0.0.1")
        await test_server.start_server(**(server or {}))
        client: TestClient[Any, Any] = TestClient(test_server)
        await client.start_server()
        clients.append(client)
        return client

    yield start
    for client in clients:
        await client.close()


@pytest.fixture
async def client(make_client: Callable[..., Any]) -> TestClient[Any, Any]:
    result: TestClient[Any, Any] = await make_client()
    return result


@pytest.fixture(scope="session")
async def clamd_socket(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[Path]:
    """A real clamd on a unix socket, knowing only the EICAR test signature."""
    from tests.clamd import running_clamd

    async with running_clamd(tmp_path_factory.mktemp("clamd"), stream_max="1M") as socket:
        yield socket


def samples_dir() -> Path:
    if not SAMPLES.is_dir():
        pytest.skip(f"real device samples not found at {SAMPLES} (../shared/media-samples)")
    return SAMPLES
