// The calendar's drag and drop, a progressive enhancement: every card that may move also has
// a "Move" link to a plain form, and the page works without this script.
//
// A card (`[draggable][data-api]`) dropped on a month day (`[data-date]`) keeps its time of
// day; dropped on a week hour (`[data-date][data-hour]`) it keeps its minutes. The new
// wall-clock time goes to `POST data-api` as {"local": "YYYY-MM-DDTHH:MM", "timezone": the
// calendar's zone} with the page's CSRF token; the server reads it in that zone (refusing a
// time the clocks skip or repeat), moves the post and its unsent deliveries, and the page
// reloads to show where it landed. A refusal is shown in the status line, in the page's
// language (the messages are on `.cal` as data-msg-*).
"use strict";

(() => {
  const root = document.querySelector(".cal");
  if (!root) return;
  const status = root.querySelector(".cal-status");
  const csrf = document.querySelector('meta[name="csrf-token"]');
  let dragged = null;

  const say = (text, bad) => {
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("bad", !!bad);
  };

  const target = (el) => el && el.closest && el.closest("[data-date]");

  const localFor = (card, cell) => {
    const time = card.dataset.time || "09:00";
    if (cell.dataset.hour !== undefined) {
      const hour = String(cell.dataset.hour).padStart(2, "0");
      return `${cell.dataset.date}T${hour}:${time.slice(3, 5)}`;
    }
    return `${cell.dataset.date}T${time}`;
  };

  const messageFor = (status, body) => {
    const err = (body && body.error) || {};
    if (status === 409) return err.message && err.message.indexOf("gone out") >= 0 ? root.dataset.msgSent : root.dataset.msgRefused;
    if (status === 404) return root.dataset.msgGone;
    if (status === 403) return root.dataset.msgForbidden;
    if (status === 422 && err.field === "local") return root.dataset.msgDst;
    if (status === 422 && err.field === "scheduled_at") return root.dataset.msgPast;
    return root.dataset.msgFailed;
  };

  const move = async (card, cell) => {
    const local = localFor(card, cell);
    say(root.dataset.msgMoving, false);
    let res;
    try {
      res = await fetch(card.dataset.api, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "X-CSRF-Token": csrf ? csrf.content : "",
        },
        body: JSON.stringify({ local, timezone: root.dataset.tz }),
      });
    } catch (_) {
      say(root.dataset.msgFailed, true);
      return;
    }
    if (res.ok) {
      window.location.reload();
      return;
    }
    let body = null;
    try { body = await res.json(); } catch (_) { body = null; }
    say(messageFor(res.status, body), true);
  };

  root.addEventListener("dragstart", (e) => {
    const card = e.target.closest && e.target.closest(".cal-card[data-api]");
    if (!card) return;
    dragged = card;
    card.classList.add("dragging");
    e.dataTransfer.effectAllowed = "move";
    e.dataTransfer.setData("text/plain", card.dataset.post);
  });

  root.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    root.querySelectorAll(".drop-target").forEach((c) => c.classList.remove("drop-target"));
  });

  root.addEventListener("dragover", (e) => {
    const cell = target(e.target);
    if (!dragged || !cell) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = "move";
    root.querySelectorAll(".drop-target").forEach((c) => { if (c !== cell) c.classList.remove("drop-target"); });
    cell.classList.add("drop-target");
  });

  root.addEventListener("drop", (e) => {
    const cell = target(e.target);
    if (!dragged || !cell) return;
    e.preventDefault();
    const card = dragged;
    cell.classList.remove("drop-target");
    if (cell.contains(card)) return;
    move(card, cell);
  });
})();
