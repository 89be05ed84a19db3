// Progress of a whole sending: bytes, percent and the time left at the recent rate.

import { duration, percent, size, t } from "./text.js";

export class Progress {
  constructor(total) {
    this.total = total;
    this.sent = 0;
    this.samples = [];
  }

  update(sent) {
    this.sent = sent;
    const now = performance.now();
    this.samples.push([now, sent]);
    while (this.samples.length > 2 && now - this.samples[0][0] > 20000) this.samples.shift();
  }

  /** Seconds left at the recent rate, or null while it is not known. */
  secondsLeft() {
    const [first, last] = [this.samples[0], this.samples[this.samples.length - 1]];
    if (!first || last[0] - first[0] < 2000 || last[1] <= first[1]) return null;
    const rate = (last[1] - first[1]) / ((last[0] - first[0]) / 1000);
    return (this.total - this.sent) / rate;
  }

  describe() {
    const text = t("progress", {
      sent: size(this.sent), total: size(this.total), percent: percent(this.sent / (this.total || 1)),
    });
    const left = this.secondsLeft();
    return left === null || this.sent >= this.total ? text : `${text} · ${t("time_left", { time: duration(left) })}`;
  }
}
