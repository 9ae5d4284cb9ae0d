/* jiuzhu time bank: draws the charts of the report and account pages with the vendored Apache
 * ECharts. Each chart is a <div data-timebank-chart="ID"> whose specification (categories,
 * series with names and colours, already translated by the server) sits in
 * <script type="application/json" id="ID">; every chart has a table beside it with the same
 * figures, so the pages work without this file. */
(function () {
  "use strict";

  function option(spec, node) {
    var width = node.clientWidth || 320;
    var narrow = width < 480;
    var text = "#3b4656";
    return {
      animation: false,
      textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
      legend: { top: 0, type: "plain", itemGap: narrow ? 6 : 10, textStyle: { color: text } },
      grid: {
        left: 4, right: 8, top: narrow && spec.series.length > 3 ? 72 : 40, bottom: 4,
        containLabel: true
      },
      tooltip: {
        trigger: "axis", axisPointer: { type: "shadow" }, confine: true,
        valueFormatter: function (v) { return v + " " + (spec.unit || ""); }
      },
      xAxis: {
        type: "category", data: spec.categories,
        axisTick: { alignWithLabel: true },
        axisLabel: {
          color: text, hideOverlap: true, rotate: narrow && spec.categories.length > 6 ? 45 : 0,
          formatter: function (v) { return narrow && /^\d{4}-\d{2}$/.test(v) ? v.slice(2) : v; }
        }
      },
      yAxis: {
        type: "value", name: spec.unit || "", nameTextStyle: { color: text },
        splitNumber: narrow ? 3 : 5,
        axisLabel: { color: text }, splitLine: { lineStyle: { color: "#e9edf3" } }
      },
      series: spec.series.map(function (s) {
        return {
          type: "bar", name: s.name, data: s.data, barMaxWidth: 18,
          itemStyle: { color: s.color, borderRadius: [3, 3, 0, 0] }
        };
      })
    };
  }

  function draw() {
    if (!window.echarts) return;
    var nodes = document.querySelectorAll("[data-timebank-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var source = document.getElementById(node.getAttribute("data-timebank-chart"));
      if (!source) return;
      var old = window.echarts.getInstanceByDom(node);
      if (old) old.dispose();
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      chart.setOption(option(JSON.parse(source.textContent), node));
      node.setAttribute("data-drawn", "1");
    });
  }

  var timer = null;
  window.addEventListener("resize", function () {
    clearTimeout(timer);
    timer = setTimeout(draw, 150);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
