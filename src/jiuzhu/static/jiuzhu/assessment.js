/* The assessment form on a phone: answers survive a lost connection.
 *
 * htmx posts the form on every change (see the form's hx-* attributes). This file keeps a copy
 * of answers not yet saved in localStorage, keyed by assessment id and the revision they were
 * made against, shows a saved / saving / offline status, and sends the copy again when the
 * connection comes back or the page is opened again. Without JavaScript the form still works
 * through its "Save draft" and "Submit" buttons. */
(function () {
  "use strict";

  var PREFIX = "jiuzhu:assessment:";

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  function keysFor(id) {
    var store = storage(), keys = [];
    if (!store) return keys;
    for (var i = 0; i < store.length; i += 1) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX + id + ":") === 0) keys.push(key);
    }
    return keys;
  }

  function forget(id) {
    var store = storage();
    if (!store) return;
    keysFor(id).forEach(function (key) { store.removeItem(key); });
  }

  // The result page: the assessment is submitted, nothing is pending any more.
  Array.prototype.forEach.call(document.querySelectorAll("[data-assessment-done]"), function (node) {
    forget(node.getAttribute("data-assessment-done"));
  });

  var form = document.getElementById("assessment-form");
  if (!form || !form.hasAttribute("hx-post")) return;

  var id = form.getAttribute("data-assessment");
  var statusNode = function () { return document.getElementById("save-status"); };
  var changes = 0;      // changes made on this page
  var sentAt = 0;       // the value of `changes` when the last save was sent
  var conflict = false; // the draft changed elsewhere: stop sending, ask for a reload
  var pending = false;  // answers on this phone that the server has not confirmed

  function revision() {
    var input = document.getElementById("revision");
    return input ? input.value : "";
  }

  function setStatus(state, text) {
    var node = statusNode();
    if (!node) return;
    node.setAttribute("data-state", state);
    if (text !== undefined) node.textContent = text;
  }

  function message(name) { return form.getAttribute("data-msg-" + name) || ""; }

  function snapshot() {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && name !== "revision") pairs.push([name, String(value)]);
    });
    return pairs;
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function keep() {
    var store = storage();
    if (!store) return;
    forget(id);
    try {
      store.setItem(PREFIX + id + ":" + revision(),
                    JSON.stringify({ at: Date.now(), fields: snapshot() }));
    } catch (e) { /* storage full or refused: the server copy is all there is */ }
  }

  function apply(fields) {
    Array.prototype.forEach.call(form.querySelectorAll("input[type=checkbox]"), function (box) {
      box.checked = false;
    });
    fields.forEach(function (pair) {
      var name = pair[0], value = pair[1];
      Array.prototype.forEach.call(form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']"),
        function (field) {
          if (field.type === "radio" || field.type === "checkbox") {
            if (field.value === value) field.checked = true;
          } else {
            field.value = value;
          }
        });
    });
  }

  function send() {
    if (conflict || !window.htmx) return;
    window.htmx.trigger(form, "jz:resend");
  }

  function changed(event) {
    if (!event.target.name || event.target.name === "revision") return;
    changes += 1;
    pending = true;
    keep();
    if (!navigator.onLine) setStatus("offline", message("offline"));
  }
  form.addEventListener("change", changed);
  form.addEventListener("input", changed);

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt !== form) return;
    sentAt = changes;
    if (navigator.onLine) setStatus("saving", message("saving"));
  });

  // A stale revision (409) or a refused answer (422) is shown in the status line, not dropped.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.elt !== form) return;
    var status = event.detail.xhr.status;
    if (status === 409 || status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) return;
    var xhr = event.detail.xhr;
    var status = xhr ? xhr.status : 0;
    if (status === 200) {
      if (changes === sentAt) {
        pending = false;
        forget(id);
      } else {
        keep(); // more changes were made meanwhile; they go with the next save
      }
    } else if (status === 409) {
      conflict = true;
      setStatus("conflict");
    } else if (status === 422) {
      setStatus("invalid");
    } else if (status === 0) {
      setStatus("offline", message("offline"));
    } else {
      setStatus("invalid", message("failed"));
    }
  });

  document.body.addEventListener("htmx:sendError", function (event) {
    if (event.detail.elt === form) setStatus("offline", message("offline"));
  });

  window.addEventListener("offline", function () {
    if (!conflict) setStatus("offline", message("offline"));
  });
  window.addEventListener("online", function () {
    if (pending) send();
  });

  // Submitting while a save is on its way would send an old revision: wait for the save.
  var submitting = null;
  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.hasAttribute("data-confirm-submit") &&
        !window.confirm(button.getAttribute("data-confirm-submit"))) {
      event.preventDefault();
      return;
    }
    if (form.classList.contains("htmx-request")) {
      event.preventDefault();
      submitting = button || null;
    }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form || !submitting) return;
    var button = submitting;
    submitting = null;
    if (button.hasAttribute("data-confirm-submit")) button.removeAttribute("data-confirm-submit");
    window.setTimeout(function () { form.requestSubmit(button); }, 0);
  });

  // Opening the page: answers left on this phone are put back.
  var store = storage();
  if (!store) return;
  var current = PREFIX + id + ":" + revision();
  var saved = null;
  try { saved = JSON.parse(store.getItem(current) || "null"); } catch (e) { saved = null; }
  if (saved && saved.fields) {
    if (same(saved.fields, snapshot())) {
      forget(id);
    } else {
      apply(saved.fields);
      pending = true;
      setStatus("restored", message("restored"));
      if (navigator.onLine) {
        if (document.readyState === "complete") send();
        else window.addEventListener("load", send);
      }
    }
    return;
  }
  // Answers kept against an older revision: the draft changed elsewhere since. Offer them.
  var older = keysFor(id)[0];
  if (!older) return;
  var kept = null;
  try { kept = JSON.parse(store.getItem(older) || "null"); } catch (e) { kept = null; }
  if (!kept || !kept.fields || same(kept.fields, snapshot())) { forget(id); return; }
  var node = statusNode();
  if (!node) return;
  setStatus("restored", message("stale") + " ");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "btn-link";
  button.textContent = message("apply");
  button.addEventListener("click", function () {
    apply(kept.fields);
    pending = true;
    keep();
    send();
  });
  node.appendChild(button);
})();
