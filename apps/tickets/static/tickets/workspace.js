/* The request page: destructive transitions ask first; the conversation opens on its latest
   message. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  pollFreshness();
  keyboardShortcuts();
  var thread = document.querySelector("#conversation .thread");
  if (thread) {
    thread.scrollTop = thread.scrollHeight;
  }
});

/* Every few seconds: has someone else changed the request since this page was rendered? Then
   say so above the page (the reply box keeps what was typed until the agent reloads). */
function pollFreshness() {
  var page = document.getElementById("workspace");
  if (!page || !page.dataset.freshnessUrl) {
    return;
  }
  var seconds = parseInt(page.dataset.pollSeconds, 10) || 20;
  var timer = window.setInterval(function () {
    fetch(page.dataset.freshnessUrl + "?seen=" + page.dataset.seen, {credentials: "same-origin"})
      .then(function (response) { return response.ok ? response.json() : {changed: false}; })
      .then(function (data) {
        if (!data.changed) {
          return;
        }
        var notice = document.getElementById("stale-notice");
        notice.querySelector(".text").textContent = data.notice;
        notice.querySelector("a").href = window.location.pathname;
        notice.hidden = false;
        window.clearInterval(timer);
      })
      .catch(function () { /* offline for a moment: ask again next time */ });
  }, seconds * 1000);
}

/* Ctrl+Enter or Cmd+Enter sends the reply (the other keys are in shortcuts.js). */
function keyboardShortcuts() {
  var box = document.getElementById("id_reply_body");
  if (!box) {
    return;
  }
  box.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      box.form.requestSubmit(box.form.querySelector("[data-action=reply]"));
    }
  });
}
