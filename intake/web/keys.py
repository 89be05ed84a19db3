"""Typed keys for what the application carries (no global state)."""

from __future__ import annotations

from aiohttp import web

from intake.core.background import Background
from intake.core.clock import Clock
from intake.core.object_store import ObjectStore
from intake.core.settings import Settings
from intake.inspection.service import InspectionService
from intake.jobs.ports import JobQueue
from intake.jobs.worker import Worker
from intake.moderation.accounts import ModeratorService
from intake.moderation.look import ModerationLook
from intake.moderation.media import ModerationMedia
from intake.moderation.publishing import Publisher
from intake.moderation.queue import ModerationService
from intake.safeguards.idempotency import Idempotency
from intake.safeguards.rate_limits import RateLimiter
from intake.submissions.drafts import DraftService
from intake.submissions.ports import SubmissionRepository
from intake.submissions.receiving import SubmissionService
from intake.submissions.submitter import SubmitterService
from intake.uploads.resumable import UploadService
from intake.uploads.turns import UploadTurns
from intake.web.draining import Draining
from intake.web.templates import Templates
from intake.web.uploads.chunk_tasks import ChunkTasks
from intake.wiring.database import Repositories
from intake.wiring.observing import Observed

SETTINGS = web.AppKey("settings", Settings)
CLOCK: web.AppKey[Clock] = web.AppKey("clock")
OBJECT_STORE = web.AppKey("object_store", ObjectStore)
REPOSITORIES = web.AppKey("repositories", Repositories)
REPOSITORY = web.AppKey("repository", SubmissionRepository)
SUBMISSIONS = web.AppKey("submissions", SubmissionService)
TEMPLATES = web.AppKey("templates", Templates)
DRAFTS = web.AppKey("drafts", DraftService)
UPLOADS = web.AppKey("uploads", UploadService)
UPLOAD_TURNS = web.AppKey("upload_turns", UploadTurns)
SUBMITTER = web.AppKey("submitter", SubmitterService)
IDEMPOTENCY = web.AppKey("idempotency", Idempotency)
RATE_LIMITER = web.AppKey("rate_limiter", RateLimiter)
JOBS = web.AppKey("jobs", JobQueue)
INSPECTION = web.AppKey("inspection", InspectionService)
WORKER = web.AppKey("worker", Worker)
MODERATORS = web.AppKey("moderators", ModeratorService)
MODERATION = web.AppKey("moderation", ModerationService)
MODERATION_LOOK = web.AppKey("moderation_look", ModerationLook)
MODERATION_MEDIA = web.AppKey("moderation_media", ModerationMedia)
PUBLISHER = web.AppKey("publisher", Publisher)
BACKGROUND = web.AppKey("background", Background)
CHUNKS = web.AppKey("chunks", ChunkTasks)
OBSERVED = web.AppKey("observed", Observed)
DRAINING = web.AppKey("draining", Draining)
