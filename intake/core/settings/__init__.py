"""Typed settings, declared once as data.

Each section is a frozen dataclass whose fields carry their help text and
validation in ``metadata``. That one declaration produces the typed settings,
the documented ``config/intake.toml`` and the ``INTAKE_<SECTION>_<KEY>``
environment variable names (see :mod:`intake.core.settings.loading`); values come from
the TOML file first and from the environment second.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from intake.core.settings.operations import OperationsSettings
from intake.core.settings.sections import (
    DatabaseSettings,
    LimitSettings,
    MediaSettings,
    RateSettings,
    S3Settings,
    ServerSettings,
    SubmissionSettings,
    UploadSettings,
)
from intake.core.settings.verification import VerificationSettings
from intake.core.settings.work import (
    InspectionSettings,
    KeysSettings,
    ModerationSettings,
    RetentionSettings,
    ScanSettings,
    WebhookSettings,
    WorkerSettings,
)


@dataclass(frozen=True)
class Settings:
    server: ServerSettings = field(default_factory=ServerSettings)
    database: DatabaseSettings = field(default_factory=DatabaseSettings)
    s3: S3Settings = field(default_factory=S3Settings)
    uploads: UploadSettings = field(default_factory=UploadSettings)
    limits: LimitSettings = field(default_factory=LimitSettings)
    media: MediaSettings = field(default_factory=MediaSettings)
    submissions: SubmissionSettings = field(default_factory=SubmissionSettings)
    rate: RateSettings = field(default_factory=RateSettings)
    workers: WorkerSettings = field(default_factory=WorkerSettings)
    inspection: InspectionSettings = field(default_factory=InspectionSettings)
    scan: ScanSettings = field(default_factory=ScanSettings)
    moderation: ModerationSettings = field(default_factory=ModerationSettings)
    webhooks: WebhookSettings = field(default_factory=WebhookSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    operations: OperationsSettings = field(default_factory=OperationsSettings)
    verification: VerificationSettings = field(default_factory=VerificationSettings)
    keys: KeysSettings = field(default_factory=KeysSettings)

    @property
    def data_path(self) -> Path:
        return Path(self.server.data_dir)

    @property
    def database_url(self) -> str:
        return self.database.url or f"sqlite+aiosqlite:///{self.data_path / 'intake.db'}"
