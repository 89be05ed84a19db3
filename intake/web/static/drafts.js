// The draft a story becomes, over the JSON API: created from the fields, looked at after
// a reload, submitted once its files are in (retried until the server answers), or
// withdrawn. The submitter token only ever travels in an Authorization header.

const JSON_API = "/api/v1/submissions";

export function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The datetime-local value with the reader's UTC offset for that moment. */
export function withOffset(value) {
  if (!value) return "";
  const local = value.length === 16 ? `${value}:00` : value;
  const minutes = -new Date(local).getTimezoneOffset();
  if (Number.isNaN(minutes)) return value;
  const sign = minutes < 0 ? "-" : "+";
  const hh = String(Math.floor(Math.abs(minutes) / 60)).padStart(2, "0");
  const mm = String(Math.abs(minutes) % 60).padStart(2, "0");
  return `${local}${sign}${hh}:${mm}`;
}

function call(method, url, token, extra = {}) {
  const headers = { ...extra.headers };
  if (token) headers.Authorization = `Bearer ${token}`;
  return fetch(url, { ...extra, method, headers, credentials: "omit", cache: "no-store" });
}

/** POST the fields; the answer as it came (201 with the draft, or a problem). */
export function createDraft(fields) {
  return call("POST", JSON_API, null, {
    headers: { "Content-Type": "application/json", "Idempotency-Key": newKey() },
    body: JSON.stringify(fields),
  });
}

/** GET the draft's view (its state and uploads). */
export function lookAt(draft) {
  return call("GET", `${JSON_API}/${draft.id}`, draft.token);
}

/** DELETE the draft: the reader starts again. */
export function withdraw(draft) {
  return call("DELETE", `${JSON_API}/${draft.id}`, draft.token);
}

/** End uploads the reader left out (tus termination). */
export async function endUploads(urls, token) {
  for (const url of urls) {
    await call("DELETE", url, token, { headers: { "Tus-Resumable": "1.0.0" } });
  }
}

/** Submit the draft, retrying lost answers and server trouble with a growing wait (the
 * same Idempotency-Key makes a retry safe). Resolves with null once submitted, or with
 * the answer that refused it. */
export async function submit(draft) {
  const key = newKey();
  for (let attempt = 0; ; attempt += 1) {
    let response = null;
    try {
      response = await call("POST", `${JSON_API}/${draft.id}/submit`, draft.token, {
        headers: { "Idempotency-Key": key },
      });
    } catch {
      response = null;
    }
    if (response && response.status === 202) return null;
    if (response && response.status < 500 && response.status !== 429) return response;
    await new Promise((resolve) => setTimeout(resolve, Math.min(30, 2 ** attempt) * 1000));
  }
}
