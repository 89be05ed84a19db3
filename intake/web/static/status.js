// The status page with the private link: the reference and key come in the URL's
// fragment (never sent to the server), are taken out of the address bar at once, and
// are kept only in this page's memory to ask /api/v1/submissions/{id} for the state and,
// if the reader wants, to withdraw the story.

import { num, problem, stateText, t } from "./text.js";

const $ = (id) => document.getElementById(id);

function fromFragment() {
  const given = new URLSearchParams(location.hash.slice(1));
  const id = given.get("id");
  const token = given.get("token");
  if (location.hash) history.replaceState(null, "", location.pathname + location.search);
  return id && token ? { id, token } : null;
}

function showError(title, detail = "") {
  $("error-title").textContent = title;
  $("error-detail").textContent = detail;
  $("error-summary").hidden = false;
  $("error-summary").focus();
}

function show(view) {
  $("state-text").textContent = stateText(view.status);
  $("status-reference").textContent = view.reference;
  $("status-files").textContent = num(view.files.length);
  $("withdraw-form").hidden = view.status === "withdrawn";
  $("status-view").hidden = false;
}

async function ask(story, method) {
  return fetch(`/api/v1/submissions/${encodeURIComponent(story.id)}`, {
    method,
    headers: { Authorization: `Bearer ${story.token}` },
    credentials: "omit",
    cache: "no-store",
  });
}

async function load(story) {
  $("lookup").hidden = true;
  $("state-text").textContent = t("loading");
  let response;
  try {
    response = await ask(story, "GET");
  } catch {
    showError(t("nothing_sent"));
    return;
  }
  if (response.status !== 200) {
    $("lookup").hidden = false;
    showError(response.status === 404 ? t("not_found") : problem("internal-error")[0]);
    return;
  }
  show(await response.json());
}

async function withdraw(story, event) {
  event.preventDefault();
  $("error-summary").hidden = true;
  if (!$("confirm").checked) {
    $("confirm").focus();
    return;
  }
  $("withdraw").disabled = true;
  try {
    const response = await ask(story, "DELETE");
    if (response.status !== 204) {
      showError(...problem(response.status === 404 ? "not-found" : "internal-error"));
      return;
    }
  } catch {
    showError(t("nothing_sent"));
    return;
  } finally {
    $("withdraw").disabled = false;
  }
  $("withdraw-form").hidden = true;
  $("state-text").textContent = t("withdrawn_now");
}

const story = fromFragment();
if (story) {
  $("withdraw-form").addEventListener("submit", (event) => withdraw(story, event));
  load(story);
}
