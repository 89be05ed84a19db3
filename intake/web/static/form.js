// The story form made resumable. Without this script the form is a plain multipart POST;
// with it, the fields become a draft (POST /api/v1/submissions, JSON), each file goes
// over tus (/api/v1/uploads) with progress, pause, retries and resume after a reload,
// and the draft is submitted once every file is in. The receipt is shown in the page;
// from then on nothing of the submission is left in the browser's storage.

import * as drafts from "./drafts.js";
import { FileList } from "./files.js";
import * as pending from "./pending.js";
import { Progress } from "./progress.js";
import { fieldError, label, lang, percent, problem, problemOf, size, t } from "./text.js";
import { Upload, UploadRefused } from "./tus.js";

const $ = (id) => document.getElementById(id);
const ANNOUNCE_EVERY_MS = 15000;
const FIELDS = ["title", "story", "location", "name", "email", "phone"];

class StoryForm {
  constructor(config) {
    this.config = config;
    this.form = $("story-form");
    this.input = $("files");
    this.send = $("send");
    this.pauseButton = $("pause");
    this.files = new FileList($("file-list"), config, () => this.input.setCustomValidity(""));
    this.pending = pending.load();
    this.current = null;
    this.paused = false;
    this.lastAnnounced = 0;
  }

  start() {
    this.form.noValidate = true;
    this.form.classList.add("enhanced");
    this.input.required = false;
    $("choose-files").hidden = false;
    this.input.addEventListener("change", () => {
      this.refuse(this.files.add(this.input.files));
      this.input.value = "";
    });
    this.dropZone();
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.pauseButton.addEventListener("click", () => this.togglePause());
    $("start-over").addEventListener("click", () => this.startOver());
    if (this.pending) this.showResume();
  }

  dropZone() {
    const zone = $("drop-zone");
    zone.hidden = false;
    const over = (on) => (event) => {
      event.preventDefault();
      zone.classList.toggle("over", on);
    };
    zone.addEventListener("dragover", over(true));
    zone.addEventListener("dragleave", over(false));
    zone.addEventListener("drop", (event) => {
      over(false)(event);
      this.refuse(this.files.add(event.dataTransfer.files));
    });
  }

  // --- messages ----------------------------------------------------------------------

  showErrors(items, title = t("error_title"), detail = "") {
    $("error-title").textContent = title;
    $("error-detail").textContent = detail;
    $("error-detail").hidden = !detail;
    const list = $("error-list");
    list.replaceChildren(...items.map(({ target, text }) => {
      const item = document.createElement("li");
      const link = document.createElement("a");
      link.href = `#${target}`;
      link.textContent = text;
      item.append(link);
      return item;
    }));
    const summary = $("error-summary");
    summary.hidden = false;
    summary.focus();
  }

  clearErrors() {
    $("error-summary").hidden = true;
    for (const node of document.querySelectorAll(".field-error.from-script")) node.remove();
    for (const node of document.querySelectorAll("[aria-invalid]")) node.removeAttribute("aria-invalid");
  }

  refuse(reasons) {
    if (reasons.length) this.showErrors(reasons.map((text) => ({ target: "files", text })));
  }

  showProblem(body) {
    const [title, detail] = problem(body.type, body);
    if (body.errors) {
      const items = body.errors.map((e) => ({
        target: FIELDS.includes(e.field) || e.field === "consent_terms" ? e.field : "files",
        text: `${label(e.field)}: ${fieldError(e.field, e.code)}`,
      }));
      for (const e of body.errors) $(e.field)?.setAttribute("aria-invalid", "true");
      this.showErrors(items, title, detail);
    } else {
      this.showErrors([], title, detail);
    }
  }

  announce(text, force = false) {
    const now = performance.now();
    if (!force && now - this.lastAnnounced < ANNOUNCE_EVERY_MS) return;
    this.lastAnnounced = now;
    $("announce").textContent = text;
  }

  // --- sending -------------------------------------------------------------------------

  checkBeforeSending() {
    const problems = [];
    const resumable = this.pending && this.pending.serverFiles > 0;
    if (!this.files.entries.length && !resumable) {
      problems.push({ target: "files", text: fieldError("files", "required") });
    }
    if (!this.pending && !$("consent_terms").checked) {
      problems.push({ target: "consent_terms", text: fieldError("consent_terms", "required") });
    }
    return problems;
  }

  fields() {
    const body = { locale: lang, consent_terms: $("consent_terms").checked,
      consent_contact: $("consent_contact").checked, website: $("website").value };
    for (const name of FIELDS) body[name] = $(name).value;
    body.occurred_at = drafts.withOffset($("occurred_at").value);
    return body;
  }

  async createDraft() {
    const response = await drafts.createDraft(this.fields());
    if (response.status !== 201) {
      this.showProblem(await problemOf(response));
      return null;
    }
    const draft = await response.json();
    this.pending = {
      draft: { id: draft.id, reference: draft.reference, token: draft.submitter_token },
      uploads: {},
      expires: Date.now() + this.config.uploads.expire_seconds * 1000,
    };
    pending.save(this.pending);
    return this.pending;
  }

  async submit() {
    this.clearErrors();
    const problems = this.checkBeforeSending();
    if (problems.length) {
      this.showErrors(problems);
      return;
    }
    this.busy(true);
    try {
      if (!this.pending && !(await this.createDraft())) return;
      const sent = await this.sendFiles();
      if (sent || this.pending.serverFiles > 0) await this.finish();
    } catch {
      this.showErrors([], t("error_title"), t("nothing_sent"));
    } finally {
      this.busy(false);
    }
  }

  busy(on) {
    this.send.disabled = on;
    this.send.textContent = on ? t("sending_button") : t("send");
    this.pauseButton.hidden = !on;
    this.files.lock(on);
    this.input.disabled = on;
    for (const name of [...FIELDS, "occurred_at", "consent_terms", "consent_contact"]) {
      $(name).readOnly = on;
    }
  }

  togglePause() {
    this.paused = !this.paused;
    this.pauseButton.textContent = this.paused ? t("resume") : t("pause");
    if (this.current) {
      if (this.paused) this.current.pause();
      else this.current.resume();
    }
  }

  async sendFiles() {
    const entries = this.files.entries.filter((entry) => !entry.refused);
    const overall = new Progress(entries.reduce((sum, e) => sum + e.file.size, 0));
    $("overall").hidden = false;
    for (const entry of entries) if (!entry.done) entry.state.textContent = t("waiting");
    let before = 0;
    let sent = 0;
    for (const entry of entries) {
      if (entry.done || await this.sendFile(entry, overall, before)) sent += 1;
      before += entry.file.size;
    }
    return sent;
  }

  async sendFile(entry, overall, before) {
    const draft = this.pending.draft;
    entry.progress.hidden = false;
    const upload = new Upload(entry.file, {
      endpoint: this.config.uploads.tus_endpoint,
      token: draft.token,
      url: this.pending.uploads[entry.fingerprint],
      onUrl: (url) => {
        this.pending.uploads[entry.fingerprint] = url;
        pending.save(this.pending);
      },
      onProgress: (bytes) => this.progress(entry, overall, before, bytes),
      onState: (state, wait) => this.uploadState(entry, state, wait),
    });
    this.current = upload;
    if (this.paused) upload.pause();
    try {
      await upload.start();
      entry.done = true;
      entry.state.textContent = t("sent");
      entry.state.className = "state done";
      this.announce(t("announce_done", { name: entry.file.name }), true);
      return true;
    } catch (error) {
      if (!(error instanceof UploadRefused)) throw error;
      const [title, detail] = problem(error.problem.type, error.problem);
      entry.refused = true;
      entry.removeButton.hidden = false;
      entry.state.textContent = t("refused", { reason: `${title}. ${detail}` });
      entry.state.className = "state refused";
      entry.progress.hidden = true;
      return false;
    } finally {
      this.current = null;
      $("network-state").textContent = "";
    }
  }

  progress(entry, overall, before, bytes) {
    entry.progress.value = bytes;
    entry.state.textContent = t("progress", {
      sent: size(bytes), total: size(entry.file.size), percent: percent(bytes / (entry.file.size || 1)),
    });
    overall.update(before + bytes);
    const bar = $("overall-progress");
    bar.max = overall.total;
    bar.value = overall.sent;
    $("overall-text").textContent = t("overall", { progress: overall.describe() });
    this.announce(t("announce_file", { name: entry.file.name, percent: percent(bytes / (entry.file.size || 1)) }));
  }

  uploadState(entry, state, wait) {
    const note = $("network-state");
    if (state === "offline") note.textContent = t("offline");
    else if (state === "retrying") note.textContent = t("retrying", { seconds: Math.round(wait) });
    else if (state === "paused") note.textContent = t("paused_note");
    else note.textContent = "";
    if (state === "paused") entry.state.textContent = t("paused");
    if (state === "sending" && !entry.progress.value) entry.state.textContent = t("sending");
    if (state !== "sending") this.announce(note.textContent, true);
  }

  async finish() {
    this.announce(t("finishing"), true);
    for (;;) {
      const refused = await drafts.submit(this.pending.draft);
      if (!refused) break;
      const body = await problemOf(refused);
      if (!body.incomplete_uploads || !(await this.leaveOut(body.incomplete_uploads))) {
        this.showProblem(body);
        return;
      }
    }
    this.receipt(this.pending.draft);
  }

  /** End the uploads of files not chosen again after a reload: they are left out. */
  async leaveOut(ids) {
    const mine = new Set(this.files.entries.map((e) => this.pending.uploads[e.fingerprint]));
    const endpoint = this.config.uploads.tus_endpoint;
    const left = ids.map((id) => `${endpoint}/${id}`).filter((url) => !mine.has(url));
    if (left.length) await drafts.endUploads(left, this.pending.draft.token);
    return left.length > 0;
  }

  receipt(draft) {
    pending.forget();
    this.pending = null;
    const link = `/${lang}/status#id=${draft.id}&token=${draft.token}`;
    const section = $("receipt");
    section.querySelector("[data-slot=reference]").textContent = draft.reference;
    section.querySelector("[data-slot=key]").textContent = draft.token;
    section.querySelector("[data-slot=link]").href = link;
    $("form-view").hidden = true;
    section.hidden = false;
    document.title = section.querySelector("h1").textContent;
    history.replaceState(null, "", `/${lang}/receipt/${draft.reference}`);
    section.focus();
  }

  // --- after a reload ------------------------------------------------------------------

  async showResume() {
    const draft = this.pending.draft;
    let view;
    try {
      const response = await drafts.lookAt(draft);
      if (response.status === 404) {
        pending.forget();
        this.pending = null;
        return;
      }
      view = await response.json();
    } catch {
      view = { status: "not_sent", uploads: [] };
    }
    if (view.status !== "not_sent") {
      this.receipt(draft); // submitted before the tab closed: the receipt was never shown
      return;
    }
    const uploads = view.uploads || [];
    this.pending.serverFiles = uploads.filter((u) => u.state === "complete").length;
    $("resume-list").replaceChildren(...uploads.map((u) => {
      const item = document.createElement("li");
      item.textContent = u.state === "complete" ? t("resume_sent", { name: u.filename })
        : t("resume_partial", { name: u.filename, sent: size(u.offset), total: size(u.length || 0) });
      return item;
    }));
    $("resume").hidden = false;
    $("story-fields").hidden = true;
    $("consent_terms-field").hidden = true;
  }

  async startOver() {
    const draft = this.pending && this.pending.draft;
    pending.forget();
    this.pending = null;
    if (draft) {
      try {
        await drafts.withdraw(draft);
      } catch {
        // the draft expires by itself
      }
    }
    location.reload();
  }
}

async function main() {
  let config;
  try {
    const response = await fetch("/api/v1/config", { credentials: "omit" });
    config = await response.json();
  } catch {
    return; // the plain form still works
  }
  new StoryForm(config).start();
}

main();
