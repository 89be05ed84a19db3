"""Typed keys for what the application carries (no global state)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.transactions import Database
from intake.decoders import DecoderPool
from intake.drafts import DraftService
from intake.idempotency import Idempotency
from intake.inspection import InspectionService
from intake.jobs import Worker
from intake.moderation import ModerationService
from intake.moderation_ports import Outbox
from intake.moderation_views import ModerationLook
from intake.moderators import ModeratorService
from intake.ports import JobQueue, ObjectStore, SubmissionRepository, UploadRepository
from intake.rate_limits import RateLimiter
from intake.resumable.service import UploadService
from intake.settings import Settings
from intake.submissions import SubmissionService
from intake.submitter import SubmitterService
from intake.web.templates import Templates
from intake.web.upload_turns import UploadTurns

SETTINGS = web.AppKey("settings", Settings)
OBJECT_STORE = web.AppKey("object_store", ObjectStore)
ENGINE = web.AppKey("engine", AsyncEngine)
DATABASE = web.AppKey("database", Database)
REPOSITORY = web.AppKey("repository", SubmissionRepository)
SUBMISSIONS = web.AppKey("submissions", SubmissionService)
TEMPLATES = web.AppKey("templates", Templates)
UPLOAD_REPOSITORY = web.AppKey("upload_repository", UploadRepository)
DRAFTS = web.AppKey("drafts", DraftService)
UPLOADS = web.AppKey("uploads", UploadService)
UPLOAD_TURNS = web.AppKey("upload_turns", UploadTurns)
SUBMITTER = web.AppKey("submitter", SubmitterService)
IDEMPOTENCY = web.AppKey("idempotency", Idempotency)
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
JOBS = web.AppKey("jobs", JobQueue)
DECODERS = web.AppKey("decoders", DecoderPool)
INSPECTION = web.AppKey("inspection", InspectionService)
WORKER = web.AppKey("worker", Worker)
MODERATORS = web.AppKey("moderators", ModeratorService)
MODERATION = web.AppKey("moderation", ModerationService)
MODERATION_LOOK = web.AppKey("moderation_look", ModerationLook)
OUTBOX = web.AppKey("outbox", Outbox)
