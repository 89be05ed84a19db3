// What must outlive a reload or a crash of the tab until the receipt is shown: the
// draft (its id, reference and submitter token) and, for each file by its fingerprint
// (name, size, last change), the address of its upload. Nothing else is kept, and
// nothing at all once the receipt is on screen.

const KEY = "intake.pending";

export function load() {
  try {
    const pending = JSON.parse(localStorage.getItem(KEY));
    if (pending && pending.draft && pending.expires > Date.now()) return pending;
  } catch {
    // unreadable: forget it
  }
  forget();
  return null;
}

export function save(pending) {
  try {
    localStorage.setItem(KEY, JSON.stringify(pending));
  } catch {
    // storage full or refused: uploads still work, they just cannot resume after a reload
  }
}

export function forget() {
  try {
    localStorage.removeItem(KEY);
  } catch {
    // nothing to do
  }
}

export function fingerprint(file) {
  return [file.name, file.size, file.lastModified, file.type].join("/");
}
