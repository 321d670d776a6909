/* The queues without reloading: the home's counts update in place; the list says how many
   requests are new or changed since it was shown and offers a refresh, instead of moving rows
   under the agent's cursor. Long subjects get their full text as a tooltip. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  pollHomeCounts();
  pollQueueChanges();
  document.querySelectorAll("#result_list td.field-subject").forEach(function (cell) {
    cell.title = cell.textContent.trim();
  });
});

function every(seconds, ask) {
  var timer = window.setInterval(function () {
    ask().catch(function () { /* offline for a moment: ask again next time */ });
  }, (seconds || 20) * 1000);
  return timer;
}

function getJson(url) {
  return fetch(url, {credentials: "same-origin", headers: {Accept: "application/json"}})
    .then(function (response) {
      if (!response.ok) {
        throw new Error(String(response.status));
      }
      return response.json();
    });
}

function pollHomeCounts() {
  var panel = document.getElementById("home-queues");
  if (!panel || !panel.dataset.countsUrl) {
    return;
  }
  every(parseInt(panel.dataset.pollSeconds, 10), function () {
    return getJson(panel.dataset.countsUrl).then(function (data) {
      Object.keys(data.counts).forEach(function (key) {
        var count = panel.querySelector("[data-queue='" + key + "'] .count");
        var value = data.counts[key];
        if (count && value !== null && count.textContent !== String(value)) {
          count.textContent = String(value);
          count.classList.add("changed");
        }
      });
    });
  });
}

function pollQueueChanges() {
  var notice = document.getElementById("queue-live");
  if (!notice || !notice.dataset.changesUrl) {
    return;
  }
  every(parseInt(notice.dataset.pollSeconds, 10), function () {
    var params = new URLSearchParams(notice.dataset.query);
    var ids = Array.prototype.map.call(
      document.querySelectorAll("#result_list input.action-select"),
      function (box) { return box.value; }
    );
    params.set("since", notice.dataset.since);
    params.set("ids", ids.join(","));
    return getJson(notice.dataset.changesUrl + "?" + params.toString()).then(function (data) {
      if (data.changed) {
        notice.querySelector(".text").textContent = data.notice;
        notice.hidden = false;
      }
    });
  });
}
