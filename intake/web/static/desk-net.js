// How the desk talks to intake: the moderation API with the session cookie and the CSRF
// token (a header), the release a leaving page sends (sendBeacon, the token as a form
// field), and desk pages fetched as HTML (escaped by the server) to show without a reload.

const main = document.getElementById("main");
export const csrf = main.dataset.csrf || "";
export const deskBase = main.dataset.desk || "/moderate";
const API = "/api/v1/moderation";

/** A moderation API request as the signed-in moderator. */
export function api(path, { method = "POST", json } = {}) {
  const headers = { "X-CSRF-Token": csrf, Accept: "application/json" };
  const init = { method, headers, credentials: "same-origin", cache: "no-store" };
  if (json !== undefined) {
    headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(json);
  }
  return fetch(API + path, init);
}

/** Give a submission back to the queue as the page goes away. */
export function releaseOnLeave(url) {
  const form = new FormData();
  form.append("csrf_token", csrf);
  navigator.sendBeacon(url, form);
}

/** The ``#desk-view`` of the desk page at ``url``, its title, and where it ended up. */
export async function fetchView(url) {
  const response = await fetch(url, {
    credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" },
  });
  const html = await response.text();
  const page = new DOMParser().parseFromString(html, "text/html");
  const view = page.getElementById("desk-view");
  return {
    view: view ? document.adoptNode(view) : null,
    title: page.title,
    url: response.url,
    signedOut: new URL(response.url).pathname.endsWith("/sign-in"),
  };
}
