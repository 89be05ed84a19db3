"""A submission as the desk shows it: the reader's fields as they wrote them, each file
with what inspection found beside what the reader said, and the audit trail, with times,
sizes and words in the moderator's language. Reader text stays text: the templates
escape it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from intake.moderation.look import SubmissionDetail
from intake.moderation.records import Moderator
from intake.submissions.records import AuditEntry, StoredFile, Submission, SubmissionState
from intake.web.desk.words import ACTIONS, CREDENTIALS, DECISIONS, FLAGS, REASONS, STATES, words
from intake.web.i18n import Localizer
from intake.web.moderation.flag_text import credentials_text, flag_text
from intake.web.moderation.models import FileUrls
from intake.web.pages.messages import N_

MAP = "https://www.openstreetmap.org/"


@dataclass(frozen=True)
class Fact:
    label: str
    value: str
    reader: bool = False
    """Written by the reader (shown with ``dir="auto"``)."""
    href: str = ""


@dataclass(frozen=True)
class FileView:
    number: int
    id: str
    filename: str
    kind: str
    media_type: str
    size: str
    verdict: str
    reject_reason: str
    urls: FileUrls | None
    facts: list[Fact]
    flags: list[Fact]


@dataclass(frozen=True)
class AuditView:
    at: str
    actor: str
    action: str
    change: str
    detail: str
    note: str


@dataclass(frozen=True)
class ItemView:
    submission: Submission
    state: str
    received: str
    occurred: str
    files: list[FileView]
    audit: list[AuditView]
    held: bool
    lease_expires_at: str
    escalated_claim: bool
    fields: list[Fact] = field(default_factory=list)


class Describer:
    """Turns records into what the desk's templates show, in one language and zone."""

    def __init__(self, i18n: Localizer, zone: dt.tzinfo, link: Any) -> None:
        self.i18n = i18n
        self.zone = zone
        self.link = link

    def when(self, value: dt.datetime | None) -> str:
        return self.i18n.when(value, self.zone) if value else ""

    def item(self, detail: SubmissionDetail, me: Moderator, now: dt.datetime) -> ItemView:
        s = detail.submission
        held = (
            s.state is SubmissionState.IN_REVIEW
            and s.lease_holder == me.id
            and s.lease_expires_at is not None
            and s.lease_expires_at > now
        )
        return ItemView(
            submission=s,
            state=words(self.i18n, STATES, s.waiting_state(now).value),
            received=self.when(s.created_at),
            occurred=self.when(s.details.occurred_at),
            files=[self.file(f, s, n) for n, f in enumerate(detail.files, 1)],
            audit=[self.entry(a) for a in detail.audit],
            held=held,
            lease_expires_at=s.lease_expires_at.isoformat() if held and s.lease_expires_at else "",
            escalated_claim=s.claimed_from is SubmissionState.ESCALATED,
            fields=self.fields(s),
        )

    def fields(self, s: Submission) -> list[Fact]:
        _ = self.i18n.gettext
        d = s.details
        yes, no = _(N_("Yes")), _(N_("No"))
        return [
            Fact(_(N_("Headline")), d.title, reader=True),
            Fact(_(N_("What happened?")), d.story, reader=True),
            Fact(_(N_("Where did it happen?")), d.location, reader=True),
            Fact(_(N_("When did it happen?")), self.when(d.occurred_at)),
            Fact(_(N_("Name")), d.name, reader=True),
            Fact(_(N_("Email address")), d.email, reader=True),
            Fact(_(N_("Phone number")), d.phone, reader=True),
            Fact(_(N_("Language")), d.locale),
            Fact(
                _(N_("Agreed to the terms")),
                f"{yes if d.consent_terms else no} ({s.terms_version})",
            ),
            Fact(_(N_("May be contacted")), yes if d.consent_contact else no),
        ]

    def file(self, f: StoredFile, s: Submission, number: int) -> FileView:
        _ = self.i18n.gettext
        verdict = {
            "inspected": N_("Checked"),
            "rejected": N_("Refused by the checks"),
            "stored": N_("Not checked yet"),
            "deleted": N_("Deleted"),
        }
        flags = [
            Fact(
                words(self.i18n, FLAGS, g.kind.value),
                flag_text(g, self.i18n),
                href=self.link(f"/items/{g.submission_id}") if g.submission_id else "",
            )
            for g in f.flags
        ]
        return FileView(
            number=number,
            id=f.id,
            filename=f.original_filename,
            kind=f.kind,
            media_type=f.media_type,
            size=self.i18n.size(f.size),
            verdict=_(verdict.get(f.state.value, N_("Not checked yet"))),
            reject_reason=f.reject_reason,
            urls=FileUrls.of(f),
            facts=self.facts(f.extracted, s),
            flags=flags,
        )

    def facts(self, x: dict[str, Any], s: Submission) -> list[Fact]:
        """What inspection found, beside what the reader said where they said it."""
        _ = self.i18n.gettext
        n = self.i18n.number
        found: list[Fact] = []
        if credentials := x.get("credentials"):
            status = words(self.i18n, CREDENTIALS, str(credentials.get("status", "")))
            text = credentials_text(credentials, self.i18n)
            found.append(Fact(_(N_("Content credentials")), f"{status}: {text}"))
        captured = x.get("captured_at") or x.get("creation_time")
        found.append(
            Fact(_(N_("Taken (from the file)")), str(captured or _(N_("not in the file"))))
        )
        found.append(
            Fact(
                _(N_("When it happened (the reader)")),
                self.when(s.details.occurred_at) or _(N_("not given")),
            )
        )
        if gps := x.get("gps"):
            lat, lon = float(gps["latitude"]), float(gps["longitude"])
            query = urlencode({"mlat": f"{lat:.6f}", "mlon": f"{lon:.6f}"})
            found.append(
                Fact(
                    _(N_("Place (GPS)")),
                    f"{lat:.6f}, {lon:.6f}",
                    href=f"{MAP}?{query}#map=16/{lat:.5f}/{lon:.5f}",
                )
            )
        found.append(
            Fact(
                _(N_("Where it happened (the reader)")),
                s.details.location or _(N_("not given")),
                reader=True,
            )
        )
        device = " ".join(str(x[k]) for k in ("make", "model") if x.get(k))
        if device:
            found.append(Fact(_(N_("Device")), device, reader=True))
        if x.get("width") and x.get("height"):
            found.append(Fact(_(N_("Size in pixels")), f"{n(x['width'])} \u00d7 {n(x['height'])}"))
        if x.get("duration_seconds") is not None:
            found.append(Fact(_(N_("Duration")), self.i18n.duration(float(x["duration_seconds"]))))
        codecs = " / ".join(
            str(x[k]) for k in ("container", "video_codec", "audio_codec") if x.get(k)
        )
        if codecs:
            found.append(Fact(_(N_("Format and codecs")), codecs))
        return found

    def entry(self, a: AuditEntry) -> AuditView:
        d = a.detail
        parts = []
        if d.get("decision"):
            parts.append(words(self.i18n, DECISIONS, str(d["decision"])))
        if d.get("reason"):
            parts.append(words(self.i18n, REASONS, str(d["reason"])))
        if d.get("file_id"):
            parts.append(f"{d.get('variant', '')} {str(d['file_id'])[:8]} {d.get('bytes', '')}")
        change = ""
        if a.from_state or a.to_state:
            change = " → ".join(
                words(self.i18n, STATES, st.value) for st in (a.from_state, a.to_state) if st
            )
        return AuditView(
            self.when(a.at),
            a.actor,
            words(self.i18n, ACTIONS, a.action),
            change,
            " · ".join(p.strip() for p in parts if p),
            str(d.get("note") or ""),
        )
