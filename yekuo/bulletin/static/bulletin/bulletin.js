/* The bulletin's and the assessment's charts (ECharts, SVG). The data come from the page (json_script
 * elements built by bulletin.views); nothing here is inline, so the pages' Content-Security-Policy holds. */
(function () {
  "use strict";
  if (typeof echarts === "undefined") return;
  var charts = [];

  function read(id) {
    var source = document.getElementById(id);
    return source ? JSON.parse(source.textContent) : null;
  }

  function make(id, option) {
    var holder = document.getElementById(id);
    if (!holder) return null;
    var chart = echarts.init(holder, null, { renderer: "svg" });
    // ECharts' own rich-text tooltips: its HTML tooltips carry style attributes the CSP refuses.
    chart.setOption(Object.assign({ animation: false, tooltip: { trigger: "axis", renderMode: "richText" },
      legend: { type: "scroll", top: 0 }, grid: { left: 44, right: 10, top: 36, bottom: 60 } }, option));
    holder.yekuoChart = chart;
    charts.push(chart);
    return chart;
  }

  function percent(list) { return list.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; }); }
  var category = function (names) { return { type: "category", data: names, axisLabel: { interval: 0, rotate: 30 } }; };

  var data = read("bulletin-data");
  if (data) {
    var t = data.text;
    make("chart-rates", {
      xAxis: category(data.branches), yAxis: { type: "value", max: 100, axisLabel: { formatter: "{value}%" } },
      series: [
        { type: "bar", name: t.on_time_rate, data: percent(data.on_time_rate), itemStyle: { color: "#198754" } },
        { type: "bar", name: t.online_rate, data: percent(data.online_rate), itemStyle: { color: "#0d6efd" } }
      ]
    });
    make("chart-days", {
      xAxis: category(data.branches), yAxis: { type: "value" },
      series: [
        { type: "bar", name: t.utility_days_mean, data: data.utility_days_mean, itemStyle: { color: "#6f42c1" } },
        { type: "bar", name: t.calendar_days_mean, data: data.calendar_days_mean, itemStyle: { color: "#adb5bd" } }
      ]
    });
    make("chart-problems", {
      xAxis: category(data.branches), yAxis: { type: "value", minInterval: 1 },
      series: [
        { type: "bar", stack: "p", name: t.overdue_orders, data: data.overdue_orders, itemStyle: { color: "#dc3545" } },
        { type: "bar", stack: "p", name: t.normativity_findings, data: data.normativity_findings, itemStyle: { color: "#fd7e14" } }
      ]
    });
  }

  var scores = read("scores-data");
  if (scores) {
    make("chart-scores", {
      xAxis: category(scores.branches), yAxis: { type: "value", max: 100 },
      series: [{ type: "bar", name: scores.text.score, data: scores.scores, itemStyle: { color: "#0d6efd" },
        label: { show: true, position: "top" } }]
    });
  }

  var trend = read("trend-data");
  if (trend && trend.months.length) {
    make("chart-trend", {
      xAxis: { type: "category", data: trend.months }, yAxis: { type: "value", max: 100 },
      series: trend.series.map(function (s) {
        return { type: "line", name: s.name, data: s.scores, connectNulls: false, symbolSize: 8 };
      })
    });
  }

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
