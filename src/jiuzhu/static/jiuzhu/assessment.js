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

  var touched = {};     // names of the fields changed on this phone and not yet saved

  function names(list) { return Object.keys(list).sort(); }

  function snapshot(only) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (only.indexOf(name) !== -1) pairs.push([name, String(value)]);
    });
    return pairs;
  }

  function same(saved) {
    return JSON.stringify(saved.fields) === JSON.stringify(snapshot(saved.touched || []));
  }

  function keep() {
    var store = storage();
    if (!store) return;
    forget(id);
    var only = names(touched);
    try {
      store.setItem(PREFIX + id + ":" + revision(),
                    JSON.stringify({ at: Date.now(), touched: only, fields: snapshot(only) }));
    } catch (e) { /* storage full or refused: the server copy is all there is */ }
  }

  // Put kept answers back: only the fields changed on this phone, so answers saved elsewhere
  // in the meantime stay as they are.
  function apply(saved) {
    (saved.touched || []).forEach(function (name) {
      touched[name] = true;
      var values = saved.fields.filter(function (pair) { return pair[0] === name; })
        .map(function (pair) { return pair[1]; });
      Array.prototype.forEach.call(form.elements, function (field) {
        if (field.name !== name) return;
        if (field.type === "radio" || field.type === "checkbox") {
          field.checked = values.indexOf(field.value) !== -1;
        } else {
          field.value = values.length ? values[0] : "";
        }
      });
    });
  }

  function send() {
    if (conflict || !window.htmx) return;
    window.htmx.trigger(form, "jz:resend");
  }

  function changed(event) {
    var name = event.target.name;
    if (!name || name === "revision" || name === "csrfmiddlewaretoken") return;
    touched[name] = true;
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
  // (htmx fires beforeSwap on the target, the result panel, so ask who sent the request.)
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var config = event.detail.requestConfig;
    if (!config || config.elt !== form) return;
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
        touched = {};
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
    if (same(saved)) {
      forget(id);
    } else {
      apply(saved);
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
  if (!kept || !kept.fields || same(kept)) { forget(id); return; }
  var node = statusNode();
  if (!node) return;
  setStatus("restored", message("stale") + " ");
  var button = document.createElement("button");
  button.type = "button";
  button.className = "btn-link";
  button.textContent = message("apply");
  button.addEventListener("click", function () {
    apply(kept);
    pending = true;
    keep();
    send();
  });
  node.appendChild(button);
})();
