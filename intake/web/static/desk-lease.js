// The lease on the submission in view: a countdown, renewed while the moderator is
// active on the page (keys, pointer, scrolling), and said plainly when it is lost.

import { api } from "./desk-net.js";
import { clock, t } from "./text.js";

const ACTIVITY = ["keydown", "pointerdown", "wheel", "scroll", "touchstart"];

export class Lease {
  constructor(view, onLost) {
    this.id = view.dataset.item;
    this.expires = Date.parse(view.dataset.leaseExpires);
    this.offset = Date.parse(view.dataset.now) - Date.now();
    this.total = Number(view.dataset.leaseSeconds) * 1000;
    this.box = view.querySelector("#lease");
    this.onLost = onLost;
    this.lost = false;
    this.over = false;
    this.renewing = false;
    this.active = Date.now();
    this.mark = () => { this.active = Date.now(); };
  }

  get held() {
    return !this.lost && !this.over;
  }

  start() {
    for (const type of ACTIVITY) addEventListener(type, this.mark, { passive: true, capture: true });
    this.timer = setInterval(() => this.tick(), 1000);
    this.tick();
  }

  stop() {
    clearInterval(this.timer);
    for (const type of ACTIVITY) removeEventListener(type, this.mark, { capture: true });
  }

  tick() {
    if (!this.held) return;
    const left = this.expires - (Date.now() + this.offset);
    if (left <= 0) {
      this.markLost();
      return;
    }
    this.box.textContent = t("lease_left", { time: clock(left / 1000) });
    const idle = Date.now() - this.active;
    if (!this.renewing && left < this.total / 2 && idle < this.total / 2) this.renew();
  }

  async renew() {
    this.renewing = true;
    try {
      const response = await api(`/submissions/${this.id}/lease`);
      if (response.ok) {
        const body = await response.json();
        this.expires = Date.parse(body.lease.expires_at);
      } else if ([403, 404, 409].includes(response.status)) {
        this.markLost();
      }
    } catch {
      // offline for now: the countdown goes on, and the next tick tries again
    } finally {
      this.renewing = false;
    }
  }

  markLost() {
    if (this.lost) return;
    this.lost = true;
    this.stop();
    this.box.textContent = "";
    this.onLost();
  }

  /** Decided: nothing more to hold. */
  end() {
    this.over = true;
    this.stop();
  }

  /** Skipped: back to the queue now. */
  async release() {
    this.end();
    try {
      await api(`/submissions/${this.id}/lease`, { method: "DELETE" });
    } catch {
      // it lapses by itself
    }
  }
}
