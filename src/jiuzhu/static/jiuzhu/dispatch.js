/* jiuzhu dispatch centre: charts (vendored Apache ECharts), the live board's polling, the wall
 * screen's clock, and small helpers of the hotline and monitoring forms.
 *
 * Each chart is a <div data-dispatch-chart="ID"> whose specification (categories, series with
 * names and colours, already translated by the server) sits in <script type="application/json"
 * id="ID">; every chart has a table or list beside it, so the pages work without this file.
 *
 * The board (#board[data-board-poll]) is re-fetched by htmx every 15 s with the header
 * X-Jiuzhu-Poll: 1 (polls do not keep the session alive). A 401 (signed out) or 404 (display
 * link revoked) answer is swapped in — its fragment says what happened and polls no more; a
 * server or network failure keeps the last figures and marks them stale until the next poll. */
(function () {
  "use strict";

  function format(value, unit) {
    if (value === null || value === undefined) return "–";
    return unit === "%" ? value + "%" : String(value);
  }

  function option(spec, node) {
    var unit = spec.unit || "";
    var wall = document.body.classList.contains("wall");
    var text = wall ? "#dfe7f2" : "#3b4656";
    var width = node.clientWidth || 320;
    return {
      animation: false,
      textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
      legend: spec.legend ? { top: 0, textStyle: { color: text } } : undefined,
      grid: { left: 8, right: 44, top: spec.legend ? 32 : 8, bottom: 4, containLabel: true },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
        valueFormatter: function (v) { return format(v, unit); }
      },
      xAxis: {
        type: "value",
        minInterval: unit === "%" ? 0 : 1,
        max: unit === "%" ? 100 : null,
        splitNumber: width < 480 ? 3 : 5,
        axisLabel: { color: text, hideOverlap: true, formatter: function (v) { return format(v, unit); } },
        splitLine: { lineStyle: { color: wall ? "#2c3d55" : "#e9edf3" } }
      },
      yAxis: {
        type: "category", data: spec.categories, inverse: true,
        axisTick: { show: false },
        axisLabel: { color: text, width: Math.max(90, Math.floor(width * 0.36)), overflow: "truncate" }
      },
      series: spec.series.map(function (s) {
        return {
          type: "bar", name: s.name, data: s.data, barMaxWidth: 16, barGap: "20%",
          itemStyle: { color: s.color, borderRadius: [0, 3, 3, 0] },
          label: {
            show: true, position: "right", fontSize: 11, color: text,
            formatter: function (p) { return format(p.value, unit); }
          }
        };
      })
    };
  }

  function charts(root) {
    var nodes = Array.prototype.slice.call(root.querySelectorAll("[data-dispatch-chart]"));
    if (root.matches && root.matches("[data-dispatch-chart]")) nodes.push(root);
    return nodes;
  }

  function draw(root) {
    if (!window.echarts) return;
    charts(root || document).forEach(function (node) {
      if (window.echarts.getInstanceByDom(node)) return;
      var source = document.getElementById(node.getAttribute("data-dispatch-chart"));
      if (!source) return;
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      chart.setOption(option(JSON.parse(source.textContent), node));
    });
  }

  function dispose(root) {
    if (!window.echarts || !root) return;
    charts(root).forEach(function (node) {
      var chart = window.echarts.getInstanceByDom(node);
      if (chart) chart.dispose();
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () {
      if (!window.echarts) return;
      charts(document).forEach(function (node) {
        var chart = window.echarts.getInstanceByDom(node);
        if (chart) chart.resize();
      });
    }, 150);
  });

  function isPoll(elt) {
    return elt && elt.hasAttribute && elt.hasAttribute("data-board-poll");
  }

  function stale(elt, on) {
    var mark = elt.querySelector(".board-stale");
    if (mark) mark.hidden = !on;
    elt.classList.toggle("is-stale", on);
  }

  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (isPoll(detail.elt)) {
      var status = detail.xhr ? detail.xhr.status : 0;
      if (status === 401 || status === 404) {
        detail.shouldSwap = true;  // "signed out" / "link revoked": show it, stop polling
        detail.isError = false;
      } else if (status >= 400) {
        detail.shouldSwap = false;  // keep the last figures; try again at the next poll
        detail.isError = false;
        stale(detail.elt, true);
        return;
      }
    }
    if (detail.shouldSwap) dispose(detail.target);
  });
  document.addEventListener("htmx:sendError", function (event) {
    if (isPoll(event.detail.elt)) stale(event.detail.elt, true);
  });
  document.addEventListener("htmx:afterSettle", function () { draw(document); });

  // The wall screen's clock, in the server's time zone (the screen's own may differ).
  var clockFormat = null;
  function tick() {
    var clock = document.querySelector("[data-wall-clock]");
    if (!clock) return;
    if (!clockFormat) {
      var options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" };
      try {
        clockFormat = new Intl.DateTimeFormat("en-GB", Object.assign({ timeZone: clock.getAttribute("data-wall-clock") || undefined }, options));
      } catch (error) {
        clockFormat = new Intl.DateTimeFormat("en-GB", options);
      }
    }
    clock.textContent = clockFormat.format(new Date());
  }

  // Monitoring: the from–to dates only when "From – to" is chosen.
  function periodFields() {
    var select = document.querySelector("[data-period-select]");
    if (!select) return;
    var form = select.form;
    form.classList.toggle("custom", select.value === "custom");
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-period-select]")) periodFields();
  });

  // New ticket: Enter in the household search searches instead of submitting the ticket.
  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches("[data-household-search]")) return;
    event.preventDefault();
    if (window.htmx) window.htmx.trigger(input, "search");
  });

  // A new display link: focusing the field selects it for copying.
  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches("[data-select-on-focus]")) event.target.select();
  });

  function start() {
    draw(document);
    periodFields();
    tick();
    if (document.querySelector("[data-wall-clock]")) window.setInterval(tick, 1000);
  }
  if (document.readyState === "complete") start();
  else document.addEventListener("DOMContentLoaded", start);
})();
