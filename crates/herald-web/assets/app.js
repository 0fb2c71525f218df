// Herald's only script: progressive enhancements. Every page works without it.
//
// - Copy buttons (`data-copy="<input id>"`) appear only where the clipboard API exists; the
//   text stays selectable in its field as the fallback.
// - Forms with `data-confirm` ask before they submit.
// - The new-workspace form preselects the browser's time zone.
// - The workspace switcher closes on Escape or a click elsewhere.
// - Keyboard shortcuts, never required: `g` then `o` overview, `p` posts, `n` compose,
//   `c` channels, `m` members, `i` invitations, `a` audit log, `s` settings (links marked
//   `data-key`).
// - The composer's length counters follow the typing: each ticked channel's text is counted by
//   the server (`POST /api/v1/text/check`, the same rules as the final check). The server
//   renders every counter too, so without this they are simply as of the last submit.
// - A feed (`[data-poll]`) fetches its own page every few seconds and swaps in the new list.
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

// The composer's live length counters.
function setUpCounters(form) {
  const token = document.querySelector('meta[name="csrf-token"]');
  const main = form.querySelector("[data-main-text]");
  if (!token || !main || !window.fetch) return;
  const cache = new Map();
  const hasMedia = () => !!form.querySelector('input[name="media"]:checked');

  async function count(platform, text, caption) {
    const key = JSON.stringify([platform, text, caption]);
    if (!cache.has(key)) {
      cache.set(key, fetch(form.dataset.textCheck, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": token.content },
        body: JSON.stringify({ platform, text, caption }),
      }).then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    const answer = await cache.get(key);
    if (!answer) cache.delete(key);
    return answer;
  }

  let run = 0;
  async function refresh() {
    const mine = ++run;
    const caption = hasMedia();
    for (const target of form.querySelectorAll("[data-target]")) {
      const box = target.querySelector('input[name="channels"]');
      const out = target.querySelector("[data-counter]");
      const own = target.querySelector("[data-override-text]");
      if (!box || !out) continue;
      target.classList.toggle("selected", box.checked);
      out.hidden = !box.checked;
      if (!box.checked) continue;
      const text = own && own.value.trim() ? own.value : main.value;
      const r = await count(box.dataset.platform, text, caption);
      if (mine !== run) return;
      if (!r) continue;
      out.textContent = `${r.length} / ${r.limit} ${out.dataset.unit}`;
      out.classList.toggle("over", r.problems.some((p) => p.rule !== "empty"));
    }
  }

  let timer = 0;
  const later = () => { clearTimeout(timer); timer = setTimeout(refresh, 250); };
  form.addEventListener("input", (e) => {
    if (e.target.matches("textarea")) later();
  });
  form.addEventListener("change", (e) => {
    if (e.target.matches('input[type="checkbox"]')) refresh();
  });
  refresh();
}

// A feed that refreshes itself without losing the reader's place or focus.
function setUpPoll(box) {
  const every = Math.max(5, Number(box.dataset.poll) || 10) * 1000;
  setInterval(async () => {
    if (document.hidden) return;
    try {
      const r = await fetch(window.location.href, { credentials: "same-origin" });
      if (!r.ok) return;
      const doc = new DOMParser().parseFromString(await r.text(), "text/html");
      const fresh = doc.querySelector("[data-poll]");
      if (fresh && fresh.innerHTML !== box.innerHTML) box.innerHTML = fresh.innerHTML;
    } catch (_) { /* try again next time */ }
  }, every);
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("form[data-text-check]").forEach(setUpCounters);
  document.querySelectorAll("[data-poll]").forEach(setUpPoll);
});
