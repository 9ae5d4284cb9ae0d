/* jiuzhu analytics: draws the charts of the analytics page with the vendored Apache ECharts.
 * Each chart is a <div data-analytics-chart="ID"> whose specification (categories, series,
 * labels already translated by the server) sits in <script type="application/json" id="ID">.
 * The page works without this file: every chart has a table beside it. */
(function () {
  "use strict";

  function format(value, unit, digits) {
    if (value === null || value === undefined || value === "-") return "–";
    return unit === "%" ? Number(value).toFixed(digits === undefined ? 1 : digits) + "%" : String(value);
  }

  function option(spec, node) {
    var unit = spec.unit || "";
    var horizontal = !!spec.horizontal;
    var labelWidth = labelWidthFor(node);
    var categoryAxis = {
      type: "category",
      data: spec.categories,
      name: spec.categoryName || "",
      nameLocation: "middle",
      nameGap: 28,
      axisTick: { alignWithLabel: true },
      // Long indicator names wrap onto several lines rather than being cut (the chart grows
      // to fit them: see fitHeight).
      axisLabel: horizontal
        ? { width: labelWidth, overflow: "break", lineHeight: 15 }
        : { hideOverlap: true }
    };
    if (horizontal) categoryAxis.inverse = true;
    var valueAxis = {
      type: "value",
      name: spec.valueName || "",
      // The axis name sits above the axis: start it at the axis, not centred across the edge.
      nameTextStyle: horizontal ? undefined : { align: "left" },
      minInterval: unit === "%" ? 0 : 1,
      max: unit === "%" ? function (extent) { return Math.min(100, Math.ceil(extent.max / 10) * 10 || 10); } : null,
      splitNumber: (node.clientWidth || 320) < 480 ? 3 : 5,
      axisLabel: { hideOverlap: true, formatter: function (v) { return format(v, unit, 0); } }
    };
    var single = spec.series.length === 1;
    return {
      textStyle: { fontFamily: window.getComputedStyle(document.body).fontFamily },
      animation: false,
      legend: spec.legend ? { top: 0, type: "scroll" } : undefined,
      // Horizontal charts keep a fixed column for the (wrapped) category labels: ECharts'
      // containLabel measures a label before wrapping it and would cut the longest one.
      grid: {
        left: horizontal ? labelWidth + 16 : 8, right: 48, containLabel: !horizontal,
        top: (spec.legend ? 36 : 12) + (!horizontal && spec.valueName ? 24 : 0),
        bottom: (spec.categoryName ? 32 : 8) + (horizontal ? 22 : 0)  // value labels below
      },
      tooltip: {
        trigger: "axis",
        axisPointer: { type: "shadow" },
        confine: true,
        valueFormatter: function (v) { return format(v, unit); }
      },
      xAxis: horizontal ? valueAxis : categoryAxis,
      yAxis: horizontal ? categoryAxis : valueAxis,
      series: spec.series.map(function (s) {
        return {
          type: "bar",
          name: s.name,
          data: s.data,
          stack: spec.stack ? "total" : undefined,
          barMaxWidth: 22,
          itemStyle: { color: s.color },
          label: {
            show: single || (horizontal && spec.categories.length <= 12),
            position: horizontal ? "right" : "top",
            fontSize: 11,
            formatter: function (p) { return format(p.value, unit); }
          }
        };
      })
    };
  }

  // Roughly how many lines a label needs at this width (CJK characters are about twice as wide
  // as Latin ones at 12px), so a horizontal chart is tall enough for wrapped labels.
  function lines(text, width) {
    var px = 0;
    for (var i = 0; i < text.length; i++) px += text.charCodeAt(i) > 255 ? 12.5 : 6.8;
    return Math.max(1, Math.ceil(px / width));
  }

  function labelWidthFor(node) {
    return Math.max(80, Math.min(300, Math.floor((node.clientWidth || 320) * 0.38)));
  }

  function fitHeight(spec, node) {
    if (!spec.horizontal) return;
    var width = labelWidthFor(node);
    var needed = (spec.legend ? 48 : 24) + (spec.categoryName ? 32 : 8) + 22;
    spec.categories.forEach(function (c) { needed += lines(String(c), width) * 15 + 10; });
    if (needed > node.clientHeight) node.style.height = needed + "px";
  }

  function draw(root) {
    if (!window.echarts) return;
    var nodes = (root || document).querySelectorAll("[data-analytics-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var source = document.getElementById(node.getAttribute("data-analytics-chart"));
      if (!source) return;
      var old = window.echarts.getInstanceByDom(node);
      if (old) old.dispose();
      var spec = JSON.parse(source.textContent);
      fitHeight(spec, node);
      var chart = window.echarts.init(node, null, { renderer: "svg" });
      chart.setOption(option(spec, node));
    });
  }

  function resizeAll() {
    if (!window.echarts) return;
    var nodes = document.querySelectorAll("[data-analytics-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var chart = window.echarts.getInstanceByDom(node);
      if (chart) chart.resize();
    });
  }

  var timer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(resizeAll, 150);
  });

  // Charts that an htmx swap is about to remove are disposed; the new ones are drawn.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (!window.echarts || !event.detail.target) return;
    var nodes = event.detail.target.querySelectorAll("[data-analytics-chart]");
    Array.prototype.forEach.call(nodes, function (node) {
      var chart = window.echarts.getInstanceByDom(node);
      if (chart) chart.dispose();
    });
  });
  document.addEventListener("htmx:afterSettle", function () { draw(document); });

  if (document.readyState === "complete") draw(document);
  else document.addEventListener("DOMContentLoaded", function () { draw(document); });
})();
