/* Keyboard shortcuts of the queue and the request page (listed in the "?" dialog,
   shortcuts.html). Keys are left alone while the agent types (inputs, IME composition) or holds
   Ctrl, Cmd or Alt. */
"use strict";
(function () {
  function typing(event) {
    var target = event.target;
    return event.isComposing || target.isContentEditable ||
      /^(TEXTAREA|SELECT)$/.test(target.tagName) ||
      (target.tagName === "INPUT" && !/^(checkbox|radio|submit|button|reset)$/.test(target.type));
  }

  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("#result_list tbody tr"));
  }

  /* j/k move a marked row (and the focus to its link); Enter/o open it; x ticks it. */
  function move(step) {
    var all = rows();
    if (!all.length) {
      return;
    }
    var at = all.findIndex(function (row) { return row.classList.contains("kbd-current"); });
    var next = at < 0 ? 0 : Math.min(Math.max(at + step, 0), all.length - 1);
    all.forEach(function (row) { row.classList.remove("kbd-current"); });
    all[next].classList.add("kbd-current");
    var link = all[next].querySelector("a");
    if (link) {
      link.focus({preventScroll: true});
    }
    all[next].scrollIntoView({block: "nearest"});
  }

  function current() {
    return document.querySelector("#result_list tbody tr.kbd-current");
  }

  var queueKeys = {
    j: function () { move(1); },
    k: function () { move(-1); },
    o: function () {
      var row = current();
      var link = row && row.querySelector("a");
      if (link) {
        window.location.href = link.href;
      }
    },
    x: function () {
      var box = current() && current().querySelector("input.action-select");
      if (box) {
        box.click();
      }
    },
    "/": function () {
      var search = document.getElementById("searchbar");
      if (search) {
        search.focus();
      }
    }
  };
  queueKeys.Enter = queueKeys.o;

  function submitForm(id) {
    var form = document.getElementById(id);
    if (form) {
      form.requestSubmit();
    }
  }

  var requestKeys = {
    r: function () {
      var box = document.getElementById("id_reply_body");
      if (box) {
        box.focus();
      }
    },
    a: function () { submitForm("assign_to_me_form"); },
    u: function () {
      var crumbs = document.querySelectorAll(".breadcrumbs a");
      var back = crumbs[crumbs.length - 1];  // the queue the request was opened from
      if (back) {
        window.location.href = back.href;
      }
    }
  };

  document.addEventListener("keydown", function (event) {
    if (typing(event) || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var help = document.getElementById("shortcut-help");
    if (!help) {
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      help.showModal();
      return;
    }
    if (help.open) {
      return;
    }
    var keys = document.getElementById("result_list") ? queueKeys : requestKeys;
    // Enter on a focused link or button already does what it says.
    if (event.key === "Enter" && /^(A|BUTTON)$/.test(event.target.tagName)) {
      return;
    }
    var action = keys[event.key];
    if (action) {
      event.preventDefault();
      action();
    }
  });
}());
