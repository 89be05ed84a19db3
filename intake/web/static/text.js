// What the pages' scripts say, in the page's language: the translated texts the server
// put in the page (#page-text, JSON), and numbers, sizes and durations written with Intl.

const data = JSON.parse(document.getElementById("page-text").textContent);

export const lang = document.documentElement.lang || "en";

/** ``template`` with each %(name)s replaced by values[name], set apart for the bidi
 * algorithm (a Latin file name in a Dari sentence keeps its order and leaves the
 * sentence's alone). */
export function fill(template, values = {}) {
  return template.replace(/%\((\w+)\)s/g,
    (whole, key) => (key in values ? `\u2068${values[key]}\u2069` : whole));
}

/** The text called ``key``, filled with ``values``. */
export function t(key, values) {
  return fill(data.text[key] ?? key, values);
}

// Numbers the way the server writes them: its digits (Persian digits for Dari and
// Pashto, whatever locale data the browser has) and its CLDR unit patterns.
const formats = data.formats;
const plurals = new Intl.PluralRules(lang);

function decimal(n, digits = 1) {
  return new Intl.NumberFormat(lang, {
    numberingSystem: formats.numbering, maximumFractionDigits: digits,
  }).format(n);
}

function unit(name, value, digits) {
  const patterns = formats.units[name];
  const pattern = plurals.select(value) === "one" ? patterns.one : patterns.other;
  return pattern.replace("%(n)s", decimal(value, digits));
}

export function num(n) {
  return decimal(n, 0);
}

export function percent(fraction) {
  const whole = Math.round(100 * Math.min(1, Math.max(0, fraction)));
  return formats.percent.replace("%(n)s", decimal(whole, 0));
}

const SIZES = [["gigabyte", 2 ** 30], ["megabyte", 2 ** 20], ["kilobyte", 2 ** 10]];

/** A byte count as the server writes it: binary units, one decimal at most. */
export function size(bytes) {
  for (const [name, factor] of SIZES) {
    if (bytes >= factor) return unit(name, Math.round((bytes / factor) * 10) / 10, 1);
  }
  return unit("byte", bytes, 0);
}

/** A duration in the largest unit that fits, e.g. "3 minutes". */
export function duration(seconds) {
  const [name, value] = seconds >= 5400 ? ["hour", seconds / 3600]
    : seconds >= 90 ? ["minute", seconds / 60] : ["second", seconds];
  return unit(name, Math.max(1, Math.round(value)), 0);
}

/** A clip's length as m:ss, in the page's digits. */
export function clock(seconds) {
  const whole = Math.round(seconds);
  const two = new Intl.NumberFormat(lang, { numberingSystem: formats.numbering, minimumIntegerDigits: 2 });
  return `${num(Math.floor(whole / 60))}:${two.format(whole % 60)}`;
}

/** [title, detail] for a problem type URI or slug (``/problems/payload-too-large``);
 * a 429's ``body`` says when to come back (``retry_after_seconds``, ``scope``). */
export function problem(type, body = {}) {
  const slug = String(type || "").split("/").pop();
  const [title, detail] = data.problems[slug] || data.problems["internal-error"];
  if (slug !== "too-many-requests" || !body.retry_after_seconds) return [title, detail];
  const wait = data.waits[body.scope] || data.waits.address;
  return [title, fill(wait, { minutes: num(Math.max(1, Math.ceil(body.retry_after_seconds / 60))) })];
}

export function label(field) {
  return data.labels[field] || field;
}

/** What to change in ``field`` for the error ``code`` of a 422 answer. */
export function fieldError(field, code) {
  if (code === "required" && data.required[field]) return data.required[field];
  const max = field === "story" ? data.limits.story_max_chars : data.limits.field_max_chars;
  return fill(data.field_errors[code] || data.field_errors.required, { max: num(max) });
}

export function stateText(status) {
  return data.states[status] || status;
}

/** Reads an answer's problem+json body, or a stand-in when there is none. */
export async function problemOf(response) {
  try {
    const body = await response.json();
    if (body && body.type) return body;
  } catch {
    // not JSON: fall through
  }
  return { type: "/problems/internal-error", status: response.status };
}
