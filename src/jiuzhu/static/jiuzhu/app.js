/* jiuzhu: small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  // Phones: the navigation collapses behind a menu button.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-nav-toggle]");
    if (!toggle) return;
    var panel = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (panel) panel.classList.toggle("open", open);
  });

  // Menus of grouped links: opening one closes the others; a click elsewhere closes them all.
  document.addEventListener("click", function (event) {
    var inside = event.target.closest("[data-nav-group]");
    document.querySelectorAll("[data-nav-group][open]").forEach(function (menu) {
      if (menu !== inside) menu.removeAttribute("open");
    });
  });

  // Forms that do something hard to undo ask first.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // A revealed identity number goes back to its masked form after a while.
  function startCountdown(root) {
    var nodes = root.querySelectorAll ? root.querySelectorAll("[data-hide-after]") : [];
    Array.prototype.forEach.call(nodes, function (node) {
      if (node.dataset.counting) return;
      node.dataset.counting = "1";
      var left = parseInt(node.getAttribute("data-hide-after"), 10) || 30;
      var counter = node.querySelector(".countdown");
      var timer = window.setInterval(function () {
        left -= 1;
        if (counter) counter.textContent = left + "s";
        if (left <= 0) {
          window.clearInterval(timer);
          var masked = document.createElement("span");
          masked.className = "mono";
          masked.textContent = node.getAttribute("data-masked");
          node.replaceWith(masked);
          var again = document.querySelector("[data-reveal-for='" + node.getAttribute("data-member") + "']");
          if (again) again.hidden = false;
        }
      }, 1000);
    });
  }
  document.addEventListener("htmx:afterSwap", function (event) { startCountdown(event.detail.elt.parentNode || document); });
  document.addEventListener("htmx:beforeRequest", function (event) {
    var hide = event.detail.elt.getAttribute("data-hide-while-shown");
    if (hide) event.detail.elt.hidden = true;
  });

  // Filter forms leave empty fields out of the address (?q=x, not ?q=x&tier=&group=).
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get" || !event.detail.elt.closest("[data-drop-empty]")) return;
    var params = event.detail.parameters;
    var keys = params instanceof FormData ? Array.from(params.keys()) : Object.keys(params);
    keys.forEach(function (key) {
      var value = params instanceof FormData ? params.get(key) : params[key];
      if (value === "" || value === null) {
        if (params instanceof FormData) params.delete(key); else delete params[key];
      }
    });
  });

  // A refused or failed htmx request says so instead of doing nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    var message = document.body.getAttribute(status === 403 ? "data-msg-forbidden" : "data-msg-failed");
    if (message) window.alert(message);
  });

  // Charts on the overview page (Apache ECharts, vendored).
  function drawCharts() {
    if (!window.echarts) return;
    var nodes = document.querySelectorAll("[data-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var source = document.getElementById(node.getAttribute("data-chart"));
      if (!source) return;
      var data = JSON.parse(source.textContent);
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      chart.setOption({
        textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", inverse: true, data: data.map(function (d) { return d.label; }),
                 axisLabel: { width: 130, overflow: "truncate" } },
        series: [{ type: "bar", data: data.map(function (d) { return d.value; }), barMaxWidth: 22,
                   itemStyle: { color: node.getAttribute("data-color") || "#1a4f8b", borderRadius: [0, 3, 3, 0] },
                   label: { show: true, position: "right" } }]
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  // Deferred scripts (ECharts among them) have all run by DOMContentLoaded.
  if (document.readyState === "complete") drawCharts();
  else document.addEventListener("DOMContentLoaded", drawCharts);

  // Phones: the filter panel folds away behind a button.
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-filters-toggle]");
    if (!toggle) return;
    var panel = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (panel) panel.classList.toggle("open", open);
  });

  // Check-in: ask the phone for its location (optional). Whatever the answer — a position,
  // a refusal, no geolocation or no answer within 8 seconds — the form is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-geolocate]");
    if (!form || form.dataset.located || !navigator.geolocation) return;
    event.preventDefault();
    form.dataset.located = "1";
    var status = form.querySelector(".geolocate-status");
    if (status) { status.hidden = false; status.textContent = status.getAttribute("data-locating"); }
    var sent = false;
    function send() { if (!sent) { sent = true; form.submit(); } }
    navigator.geolocation.getCurrentPosition(function (position) {
      form.elements.latitude.value = position.coords.latitude;
      form.elements.longitude.value = position.coords.longitude;
      form.elements.accuracy.value = Math.round(position.coords.accuracy);
      send();
    }, send, { enableHighAccuracy: true, timeout: 8000, maximumAge: 60000 });
    setTimeout(send, 9000);
  });
})();

// Task cards: "Copy address" puts the address on the clipboard (no inline scripts: CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var text = button.getAttribute("data-copy");
    function done() {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || label;
      setTimeout(function () { button.textContent = label; }, 2000);
    }
    var answered = false;
    function once(then) {
      return function () { if (!answered) { answered = true; then(); } };
    }
    function fallback() {
      var field = document.createElement("textarea");
      field.value = text;
      field.setAttribute("readonly", "");
      field.style.position = "absolute";
      field.style.left = "-9999px";
      document.body.appendChild(field);
      field.select();
      try { if (document.execCommand("copy")) done(); } catch (e) { /* nothing to copy with */ }
      document.body.removeChild(field);
    }
    if (navigator.clipboard && window.isSecureContext) {
      // Some browsers leave the promise pending (a permission never asked): copy the old way
      // after a second rather than leave the button silent.
      navigator.clipboard.writeText(text).then(once(done), once(fallback));
      setTimeout(once(fallback), 1000);
    } else {
      fallback();
    }
  });
})();
