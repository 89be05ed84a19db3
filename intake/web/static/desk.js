// The moderator desk: one key or button for each action (as in Coral), the lease kept
// while the moderator works, decisions through the moderation API, and the next
// submission shown without a reload. Reader text only ever arrives escaped in the HTML
// the server renders; this script sets no markup from data.

import { api, deskBase, fetchView, releaseOnLeave } from "./desk-net.js";
import { Lease } from "./desk-lease.js";
import { t } from "./text.js";

const SKIPPED = "desk-skipped";
const FILTERS = "desk-filters";
let view = document.getElementById("desk-view");
let lease = null;
let decision = "";
let fileIndex = -1;

const stored = (key, fallback) => {
  try {
    return JSON.parse(sessionStorage.getItem(key)) ?? fallback;
  } catch {
    return fallback;
  }
};
const store = (key, value) => sessionStorage.setItem(key, JSON.stringify(value));

function say(text) {
  const box = view.querySelector("#desk-status");
  if (!box) return;
  box.textContent = text;
  box.hidden = !text;
}

function setUp() {
  view = document.getElementById("desk-view");
  lease?.stop();
  lease = null;
  decision = "";
  fileIndex = -1;
  if (view?.dataset.view === "item" && view.dataset.held === "yes") {
    lease = new Lease(view, showLost);
    lease.start();
  }
  const filters = stored(FILTERS, {});
  for (const name of ["kind", "language", "flag", "credentials"]) {
    const field = view?.querySelector(`#next-${name}`);
    if (field && filters[name]) field.value = filters[name];
  }
}

function showLost() {
  view.querySelector("#lease-lost").hidden = false;
  for (const button of view.querySelectorAll("button.decide, #confirm")) button.disabled = true;
  say("");
}

async function show(url, { push = true } = {}) {
  if (lease?.held && !url.includes(lease.id)) await lease.release();
  let loaded;
  try {
    loaded = await fetchView(url);
  } catch {
    say(t("offline"));
    return;
  }
  if (loaded.signedOut) {
    location.assign(loaded.url);
    return;
  }
  if (!loaded.view) {
    say(t("offline"));
    return;
  }
  view.replaceWith(loaded.view);
  document.title = loaded.title;
  if (push) history.pushState({ desk: true }, "", url);
  setUp();
  view.querySelector("h1")?.focus();
}

async function next() {
  if (lease?.held) {
    store(SKIPPED, [...stored(SKIPPED, []).filter((id) => id !== lease.id), lease.id].slice(-50));
    await lease.release();
  }
  say(t("claiming"));
  const filters = stored(FILTERS, {});
  const query = new URLSearchParams();
  if (filters.kind) query.set("kind", filters.kind);
  if (filters.language) query.set("locale", filters.language);
  if (filters.flag) query.set("flag", filters.flag);
  if (filters.credentials) query.set("credentials", filters.credentials);
  const skipped = stored(SKIPPED, []);
  if (skipped.length) query.set("skip", skipped.join(","));
  let response;
  try {
    response = await api(`/claim?${query}`);
  } catch {
    say(t("offline"));
    return;
  }
  if (response.status === 401) {
    location.assign(`${deskBase}/sign-in`);
  } else if (response.status === 204) {
    sessionStorage.removeItem(SKIPPED);
    await show(`${deskBase}?empty=1`);
  } else if (response.ok) {
    const claimed = await response.json();
    await show(`${deskBase}/items/${claimed.id}`);
  } else {
    say(t("offline"));
  }
}

function openDecision(chosen) {
  const form = view.querySelector("#decide");
  const button = view.querySelector(`[data-decision="${chosen}"]`);
  if (!form || !button) return;
  if (!lease?.held) {
    showLost();
    return;
  }
  decision = chosen;
  form.elements.decision.value = chosen;
  view.querySelector("#decide-what").textContent = button.textContent.replace(/^\s*\S+\s*/, "");
  form.hidden = false;
  (form.querySelector("input[name=reason]:checked") || form.querySelector("input[name=reason]")).focus();
}

function closeDecision() {
  const form = view.querySelector("#decide");
  if (!form || form.hidden) return false;
  form.hidden = true;
  decision = "";
  view.querySelector(`#toolbar button`)?.focus();
  return true;
}

async function decide(form) {
  const reason = form.querySelector("input[name=reason]:checked");
  if (!reason) {
    say(t("choose_reason"));
    return;
  }
  if (!lease?.held) {
    showLost();
    return;
  }
  say(t("deciding"));
  let response;
  try {
    response = await api(`/submissions/${lease.id}/decision`, {
      json: { decision, reason: reason.value, note: form.elements.note.value },
    });
  } catch {
    say(t("offline"));
    return;
  }
  if ([403, 404, 409].includes(response.status)) {
    lease.markLost();
  } else if (response.status === 401) {
    location.assign(`${deskBase}/sign-in`);
  } else if (!response.ok) {
    say(t("offline"));
  } else {
    lease.end();
    say(t("decided"));
    await next();
  }
}

function moveFile(step) {
  const files = [...view.querySelectorAll(".desk-file")];
  if (!files.length) return;
  fileIndex = Math.min(files.length - 1, Math.max(0, fileIndex + step));
  files[fileIndex].focus();
}

function act(action) {
  if (action === "next") next();
  else if (action === "file-next") moveFile(1);
  else if (action === "file-previous") moveFile(-1);
  else if (action === "shortcuts") document.getElementById("shortcuts")?.showModal();
  else if (action === "cancel") closeDecision();
}

const KEYS = { n: "next", j: "file-next", k: "file-previous", "?": "shortcuts" };
const DECISION_KEYS = { a: "approve", r: "reject", e: "escalate" };

document.addEventListener("keydown", (event) => {
  if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
  if (document.querySelector("dialog[open]")) return;
  const form = view.querySelector("#decide");
  const deciding = form && !form.hidden;
  if (event.key === "Escape" && closeDecision()) {
    event.preventDefault();
    return;
  }
  const typing = event.target.closest?.("textarea, select, input:not([type=radio]):not([type=checkbox])");
  if (deciding && event.key === "Enter" && !event.target.closest?.("textarea, button")) {
    event.preventDefault();
    form.requestSubmit();
    return;
  }
  if (typing) return;
  if (deciding && /^[1-9]$/.test(event.key)) {
    const reason = form.querySelector(`input[name=reason][data-key="${event.key}"]`);
    if (reason) {
      reason.checked = true;
      reason.focus();
      event.preventDefault();
    }
    return;
  }
  if (KEYS[event.key]) act(KEYS[event.key]);
  else if (DECISION_KEYS[event.key]) openDecision(DECISION_KEYS[event.key]);
  else return;
  event.preventDefault();
});

document.addEventListener("click", (event) => {
  const button = event.target.closest?.("button[data-decision], button[data-action]");
  if (!button || !view.contains(button)) return;
  event.preventDefault();
  if (button.dataset.decision) openDecision(button.dataset.decision);
  else act(button.dataset.action);
});

document.addEventListener("submit", (event) => {
  if (event.target.id === "decide") {
    event.preventDefault();
    decide(event.target);
  } else if (event.target.id === "next-form") {
    event.preventDefault();
    next();
  }
});

document.addEventListener("change", (event) => {
  const field = event.target.closest?.("#next-kind, #next-language, #next-flag, #next-credentials");
  if (!field) return;
  store(FILTERS, { ...stored(FILTERS, {}), [field.name]: field.value });
});

addEventListener("pagehide", () => {
  if (lease?.held) releaseOnLeave(view.dataset.release);
});

addEventListener("popstate", () => show(location.href, { push: false }));

setUp();
document.documentElement.dataset.desk = "ready";
