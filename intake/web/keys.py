"""Typed keys for what the application carries (no global state)."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncEngine

from intake.adapters.db.transactions import Database
from intake.core.object_store import ObjectStore
from intake.core.settings import Settings
from intake.inspection.decoders import DecoderPool
from intake.inspection.service import InspectionService
from intake.jobs.ports import JobQueue
from intake.jobs.worker import Worker
from intake.moderation.accounts import ModeratorService
from intake.moderation.look import ModerationLook
from intake.moderation.queue import ModerationService
from intake.safeguards.idempotency import Idempotency
from intake.safeguards.rate_limits import RateLimiter
from intake.submissions.drafts import DraftService
from intake.submissions.ports import SubmissionRepository
from intake.submissions.receiving import SubmissionService
from intake.submissions.submitter import SubmitterService
from intake.uploads.ports import UploadRepository
from intake.uploads.resumable import UploadService
from intake.uploads.turns import UploadTurns
from intake.web.templates import Templates
from intake.webhooks.ports import Outbox

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
