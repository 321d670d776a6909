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
  var thread = document.querySelector("#conversation .thread");
  if (thread) {
    thread.scrollTop = thread.scrollHeight;
  }
});
