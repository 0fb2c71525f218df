// Herald's only script: progressive enhancements. Every page works without it.
//
// - Copy buttons (`data-copy="<input id>"`) appear only where the clipboard API exists; the
//   text stays selectable in its field as the fallback.
// - Forms with `data-confirm` ask before they submit.
// - The new-workspace form preselects the browser's time zone.
// - The workspace switcher closes on Escape or a click elsewhere.
// - Keyboard shortcuts, never required: `g` then `o` overview, `m` members, `i` invitations,
//   `a` audit log, `s` settings (links marked `data-key`).
"use strict";

document.addEventListener("change", (e) => {
  const el = e.target;
  if (el.matches && el.matches("select[data-navigate]") && el.value) {
    window.location.assign(el.value);
  }
});

document.addEventListener("DOMContentLoaded", () => {
  if (navigator.clipboard) {
    document.querySelectorAll("button[data-copy]").forEach((b) => {
      b.hidden = false;
      b.addEventListener("click", () => {
        const field = document.getElementById(b.dataset.copy);
        if (!field) return;
        navigator.clipboard.writeText(field.value).then(() => {
          const label = b.textContent;
          b.textContent = b.dataset.copied || label;
          setTimeout(() => { b.textContent = label; }, 2000);
        }, () => field.select());
      });
    });
  }
  document.querySelectorAll("[data-select-on-focus]").forEach((f) => {
    f.addEventListener("focus", () => f.select());
  });
  // On a phone the section tabs scroll sideways: keep the current one in view.
  const here = document.querySelector(".side a[aria-current]");
  if (here) here.scrollIntoView({ block: "nearest", inline: "nearest" });
  const tz = document.querySelector("select[data-guess-timezone]");
  if (tz && window.Intl) {
    const guess = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (guess && [...tz.options].some((o) => o.value === guess)) tz.value = guess;
  }
});

document.addEventListener("submit", (e) => {
  const msg = e.target.dataset && e.target.dataset.confirm;
  if (msg && !window.confirm(msg)) e.preventDefault();
});

document.addEventListener("click", (e) => {
  document.querySelectorAll("details.switcher[open]").forEach((d) => {
    if (!d.contains(e.target)) d.open = false;
  });
});

let awaitingKey = 0;
document.addEventListener("keydown", (e) => {
  if (e.key === "Escape") {
    document.querySelectorAll("details.switcher[open]").forEach((d) => {
      d.open = false;
      d.querySelector("summary").focus();
    });
    return;
  }
  const t = e.target;
  if (e.ctrlKey || e.metaKey || e.altKey || t.isContentEditable ||
      ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)) return;
  if (Date.now() < awaitingKey) {
    awaitingKey = 0;
    const link = document.querySelector(`a[data-key="${CSS.escape(e.key)}"]`);
    if (link) { e.preventDefault(); link.click(); }
  } else if (e.key === "g") {
    awaitingKey = Date.now() + 1500;
  }
});
