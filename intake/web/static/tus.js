// A small tus 1.0.0 client for one file, made for connections that drop.
//
// It creates the upload (POST, or goes on with a known URL after asking the server its
// offset with HEAD), then sends the rest in PATCH chunks. A request that fails is tried
// again after a growing wait (1 s doubling to 30 s, for as long as it takes); while the
// browser is offline it waits for the connection to come back; a chunk that stops moving
// for STALL_MS is cut and tried again. The server keeps every byte it received, so a
// retry, a pause, a reload or a crash costs at most the bytes in flight.
//
// Only refusals end it (a file of another type, too large, expired draft ...): the
// promise rejects with an UploadRefused carrying the problem+json body.

const TUS = "1.0.0";
const CHUNK = 8 * 1024 * 1024;
const STALL_MS = 30000;
const BACKOFF = [1, 2, 4, 8, 16, 30];
const RETRY = new Set([0, 408, 409, 423, 425, 429, 500, 502, 503, 504]);

export class UploadRefused extends Error {
  constructor(problem) {
    super(problem.detail || problem.type);
    this.problem = problem;
  }
}

class Interrupted extends Error {}

function b64(text) {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function request(method, url, headers, body, onProgress) {
  const xhr = new XMLHttpRequest();
  const done = new Promise((resolve) => {
    xhr.open(method, url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    if (onProgress) xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () => resolve(xhr);
    xhr.onerror = xhr.onabort = xhr.ontimeout = () => resolve(null);
    xhr.send(body ?? null);
  });
  return { xhr, done };
}

function problemOf(xhr) {
  try {
    const body = JSON.parse(xhr.responseText);
    if (body && body.type) return body;
  } catch {
    // not JSON
  }
  return { type: "/problems/internal-error", status: xhr.status };
}

export class Upload {
  /**
   * @param {File} file
   * @param {object} options endpoint, token, url (to go on with), onUrl(url), onProgress(sent),
   *   onState(state, detail) with state one of sending, retrying, offline, paused
   */
  constructor(file, options) {
    this.file = file;
    this.options = options;
    this.url = options.url || null;
    this.offset = 0;
    this.paused = false;
    this.attempt = 0;
    this.current = null;
    this.wake = null;
  }

  headers(extra = {}) {
    return { "Tus-Resumable": TUS, Authorization: `Bearer ${this.options.token}`, ...extra };
  }

  pause() {
    this.paused = true;
    if (this.current) this.current.abort();
    this.options.onState("paused");
  }

  resume() {
    this.paused = false;
    this.wakeUp();
  }

  /** Cut the request in flight (the browser went offline): the loop takes it from there. */
  interrupt() {
    if (this.current) this.current.abort();
    this.wakeUp();
  }

  wakeUp() {
    if (this.wake) this.wake();
  }

  /** Wait for ``seconds``, or less if woken (back online, resumed, retry now). */
  rest(seconds) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, seconds * 1000);
      this.wake = () => {
        clearTimeout(timer);
        resolve();
      };
    }).finally(() => {
      this.wake = null;
    });
  }

  async waitUntilFree() {
    while (this.paused || !navigator.onLine) {
      this.options.onState(this.paused ? "paused" : "offline");
      await this.rest(3600);
    }
  }

  /** Send the whole file; resolves with the upload URL when the server has every byte. */
  async start() {
    const offline = () => this.interrupt();
    const online = () => this.wakeUp();
    addEventListener("offline", offline);
    addEventListener("online", online);
    try {
      return await this.run();
    } finally {
      removeEventListener("offline", offline);
      removeEventListener("online", online);
    }
  }

  async run() {
    for (;;) {
      await this.waitUntilFree();
      this.options.onState("sending");
      try {
        if (this.url) await this.head();
        else await this.create();
        while (this.offset < this.file.size) {
          await this.patch();
          this.attempt = 0;
        }
        return this.url;
      } catch (error) {
        if (!(error instanceof Interrupted)) throw error;
      }
      if (this.paused || !navigator.onLine) continue;
      const wait = retryWait(this.attempt++);
      this.options.onState("retrying", wait);
      await this.rest(wait);
    }
  }

  async send(method, url, extra, body, onProgress) {
    const call = request(method, url, this.headers(extra), body, onProgress);
    this.current = call.xhr;
    const xhr = await call.done;
    this.current = null;
    if (!xhr || RETRY.has(xhr.status)) throw new Interrupted();
    return xhr;
  }

  async create() {
    const metadata = `filename ${b64(this.file.name)},filetype ${b64(this.file.type || "")}`;
    const xhr = await this.send("POST", this.options.endpoint, {
      "Upload-Length": String(this.file.size),
      "Upload-Metadata": metadata,
    });
    if (xhr.status !== 201) throw new UploadRefused(problemOf(xhr));
    this.url = new URL(xhr.getResponseHeader("Location"), location.href).pathname;
    this.offset = 0;
    this.options.onUrl(this.url);
    this.options.onProgress(0);
  }

  async head() {
    const xhr = await this.send("HEAD", this.url, {});
    if (xhr.status === 404 || xhr.status === 410) {
      this.url = null; // expired or ended: start this file again
      return this.create();
    }
    if (xhr.status !== 200) throw new UploadRefused(problemOf(xhr));
    this.offset = Number(xhr.getResponseHeader("Upload-Offset"));
    this.options.onProgress(this.offset);
  }

  async patch() {
    const start = this.offset;
    const chunk = this.file.slice(start, Math.min(this.file.size, start + CHUNK));
    let stall = null;
    const watch = () => {
      clearTimeout(stall);
      stall = setTimeout(() => this.current && this.current.abort(), STALL_MS);
    };
    watch();
    try {
      const xhr = await this.send("PATCH", this.url, {
        "Upload-Offset": String(start),
        "Content-Type": "application/offset+octet-stream",
      }, chunk, (loaded) => {
        watch();
        this.options.onProgress(start + loaded);
      });
      if (xhr.status === 404 || xhr.status === 410) {
        this.url = null;
        throw new Interrupted();
      }
      if (xhr.status !== 204) throw new UploadRefused(problemOf(xhr));
      this.offset = Number(xhr.getResponseHeader("Upload-Offset"));
      this.options.onProgress(this.offset);
    } catch (error) {
      if (error instanceof Interrupted) this.offset = start; // HEAD tells what arrived
      throw error;
    } finally {
      clearTimeout(stall);
    }
  }
}

function retryWait(attempt) {
  const base = BACKOFF[Math.min(attempt, BACKOFF.length - 1)];
  return base + Math.random() * base * 0.2;
}
