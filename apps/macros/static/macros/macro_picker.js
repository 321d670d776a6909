/* The macro picker in the reply box: choosing a macro fills the reply with its text for this
   customer (the agent may edit it before sending), names the language and what runs after the
   reply, and relabels Send ("Send + Resolve"); clearing it gives the plain reply back. */
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  var select = document.getElementById("id_reply_macro");
  var data = document.getElementById("macro-choices");
  if (!select || !data) {
    return;
  }
  var macros = {};
  JSON.parse(data.textContent).forEach(function (macro) { macros[String(macro.id)] = macro; });
  var form = select.form;
  var box = form.querySelector("textarea[name=body]");
  var send = form.querySelector("[data-action=reply]");
  var internal = form.querySelector("[name=internal]");
  var note = document.getElementById("macro-note");
  var inserted = "";

  select.addEventListener("change", function () {
    var macro = macros[select.value];
    if (!macro) {
      if (box.value === inserted) {
        box.value = "";
      }
      inserted = "";
      reset();
      return;
    }
    // Replace what an earlier macro put there (or nothing); keep what the agent typed.
    var typed = box.value.trim() && box.value !== inserted ? box.value.replace(/\s+$/, "") + "\n\n" : "";
    box.value = typed + macro.text;
    inserted = box.value;
    note.textContent = macro.language;
    note.hidden = false;
    send.value = macro.then
      ? select.dataset.sendThen.replace("%(transition)s", macro.then)
      : select.dataset.sendLabel;
    send.dataset.macroTransition = macro.transition || "";
    if (internal) {
      internal.checked = false;
      internal.disabled = true;
    }
    if (macro.destructive) {
      send.dataset.macroConfirm = select.dataset.confirmText.replace("%(transition)s", macro.then);
    } else {
      delete send.dataset.macroConfirm;
    }
    box.focus();
  });

  form.addEventListener("submit", function (event) {
    if (send.dataset.macroConfirm && !window.confirm(send.dataset.macroConfirm)) {
      event.preventDefault();
    }
  });

  function reset() {
    note.hidden = true;
    send.value = select.dataset.sendLabel;
    delete send.dataset.macroTransition;
    delete send.dataset.macroConfirm;
    if (internal) {
      internal.disabled = false;
    }
  }
});
