// The files a reader picked: checked against /api/v1/config before a byte is sent,
// shown with a preview (a photo's thumbnail, a video's first frame and length), each
// removable until sending starts, each with its own progress while it is sent.

import { clock, fill, num, size, t } from "./text.js";
import { fingerprint } from "./pending.js";

function extension(name) {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? "" : name.slice(dot + 1).toLowerCase();
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class FileList {
  constructor(list, config, onChange) {
    this.list = list;
    this.config = config;
    this.onChange = onChange;
    this.entries = [];
    const labels = Object.values(config.accepted_types).flat().map((type) => type.label);
    this.typeNames = [...new Set(labels)].sort().join(", ");
  }

  kindOf(file) {
    const ext = extension(file.name);
    for (const [kind, types] of Object.entries(this.config.accepted_types)) {
      if (types.some((type) => type.media_type === file.type)) return kind;
    }
    for (const [kind, types] of Object.entries(this.config.accepted_types)) {
      if (types.some((type) => type.extensions.includes(ext))) return kind;
    }
    return null;
  }

  get totalBytes() {
    return this.entries.reduce((sum, entry) => sum + entry.file.size, 0);
  }

  /** Why ``file`` cannot be added, or null. */
  refusal(file, kind) {
    const limits = this.config.limits;
    const name = file.name;
    if (!kind) return t("not_accepted", { name, types: this.typeNames });
    if (file.size === 0) return t("empty_file", { name });
    const max = kind === "video" ? limits.video_max_bytes : limits.photo_max_bytes;
    if (file.size > max) {
      const values = { name, size: size(file.size), max: size(max) };
      return kind === "video" ? t("video_too_large", values) : t("photo_too_large", values);
    }
    if (this.entries.some((entry) => entry.fingerprint === fingerprint(file))) {
      return t("already_chosen", { name });
    }
    if (this.entries.length >= limits.max_files) {
      return t("too_many_files", { name, max: num(limits.max_files) });
    }
    if (this.totalBytes + file.size > limits.max_total_bytes) {
      return t("too_much", { name, max: size(limits.max_total_bytes) });
    }
    return null;
  }

  /** Add what may be added; returns why the others were not. */
  add(files) {
    const refused = [];
    for (const file of files) {
      const kind = this.kindOf(file);
      const why = this.refusal(file, kind);
      if (why) refused.push(why);
      else this.entries.push(this.show({ file, kind, fingerprint: fingerprint(file) }));
    }
    this.onChange();
    return refused;
  }

  remove(entry) {
    this.entries = this.entries.filter((other) => other !== entry);
    if (entry.objectUrl) URL.revokeObjectURL(entry.objectUrl);
    entry.item.remove();
    this.onChange();
  }

  show(entry) {
    const item = element("li", "file");
    entry.item = item;
    item.append(this.preview(entry));
    const about = element("div");
    about.append(element("div", "name", entry.file.name));
    const kind = entry.kind === "video" ? t("video") : t("photo");
    entry.meta = element("div", "meta", `${kind} · ${size(entry.file.size)}`);
    entry.state = element("div", "state");
    about.append(entry.meta, entry.state);
    item.append(about);
    entry.removeButton = element("button", "secondary", t("remove"));
    entry.removeButton.type = "button";
    entry.removeButton.setAttribute("aria-label", t("remove_file", { name: entry.file.name }));
    entry.removeButton.addEventListener("click", () => this.remove(entry));
    item.append(entry.removeButton);
    entry.progress = element("progress");
    entry.progress.max = entry.file.size || 1;
    entry.progress.value = 0;
    entry.progress.hidden = true;
    entry.progress.setAttribute("aria-label", entry.file.name);
    item.append(entry.progress);
    this.list.append(item);
    return entry;
  }

  preview(entry) {
    entry.objectUrl = URL.createObjectURL(entry.file);
    if (entry.kind === "photo") {
      const image = element("img", "preview");
      image.alt = "";
      image.addEventListener("error", () => image.removeAttribute("src"));
      image.src = entry.objectUrl;
      return image;
    }
    const video = element("video", "preview");
    video.muted = true;
    video.playsInline = true;
    video.preload = "metadata";
    video.setAttribute("aria-hidden", "true");
    video.addEventListener("loadedmetadata", () => {
      if (Number.isFinite(video.duration)) {
        entry.meta.textContent = `${fill(t("video_length"), { duration: clock(video.duration) })}`
          + ` · ${size(entry.file.size)}`;
        video.currentTime = Math.min(1, video.duration / 10);
      }
    });
    video.src = entry.objectUrl;
    return video;
  }

  lock(locked) {
    for (const entry of this.entries) entry.removeButton.hidden = locked;
  }
}
