/* The control dashboard's charts (ECharts, SVG). The data come from the page (#dashboard-data, built by
 * monitoring.views_stats.dashboard); every bar or point carries the URL of the order list (or the day's
 * overdue-warning list) that lists what it counts, and a click goes there (R9, R10). */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-data");
  if (!source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var COLOURS = { overdue: "#dc3545", warning: "#e0a800", normal: "#0d6efd", suspended: "#6c757d",
                  in_transit: "#0d6efd", new: "#20c997", completed: "#198754", newly_overdue: "#fd7e14" };
  var charts = [];

  function make(id, option) {
    var holder = document.getElementById(id);
    if (!holder) return null;
    var chart = echarts.init(holder, null, { renderer: "svg" });
    // Tooltips drawn by ECharts itself (richText): its HTML tooltips carry style attributes, which the
    // pages' Content-Security-Policy refuses.
    chart.setOption(Object.assign({ animation: false, tooltip: { trigger: "item", renderMode: "richText" },
      grid: { left: 40, right: 10, top: 36, bottom: 60, containLabel: false } }, option));
    chart.on("click", function (params) {
      if (params.data && params.data.url) window.location.href = params.data.url;
    });
    holder.yekuoChart = chart;  // for the browser test's drill-down
    charts.push(chart);
    return chart;
  }

  function unique(list) { return list.filter(function (v, i) { return list.indexOf(v) === i; }); }

  // In transit by branch (x) and category (stacked series).
  var branches = unique(data.transit.map(function (r) { return r.branch; }));
  var branchNames = branches.map(function (code) {
    return data.transit.filter(function (r) { return r.branch === code; })[0].branch_name;
  });
  var categories = unique(data.transit.map(function (r) { return r.category; }));
  make("chart-transit", {
    legend: { type: "scroll", top: 0 },
    xAxis: { type: "category", data: branchNames, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: categories.map(function (category) {
      var rows = data.transit.filter(function (r) { return r.category === category; });
      return { type: "bar", stack: "transit", name: rows[0].category_name,
        data: branches.map(function (code) {
          var row = rows.filter(function (r) { return r.branch === code; })[0];
          return row ? { value: row.count, url: row.url } : { value: 0 };
        }) };
    })
  });

  // Warnings and overdue by node.
  var nodes = unique(data.by_node.map(function (r) { return r.node; }));
  var nodeNames = nodes.map(function (code) {
    return data.by_node.filter(function (r) { return r.node === code; })[0].node_name;
  });
  make("chart-nodes", {
    legend: { top: 0 },
    xAxis: { type: "category", data: nodeNames, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1 },
    series: ["overdue", "warning"].map(function (state) {
      return { type: "bar", name: text[state], itemStyle: { color: COLOURS[state] },
        data: nodes.map(function (code) {
          var row = data.by_node.filter(function (r) { return r.node === code && r.state === state; })[0];
          return row ? { value: row.count, url: row.url } : { value: 0 };
        }) };
    })
  });

  // The last 30 days: nodes in transit, in warning and overdue at each morning, and the day's flows.
  var days = data.trend.map(function (d) { return d.date.slice(5); });
  function series(key, type, stateParam) {
    return { type: type, name: text[key], itemStyle: { color: COLOURS[key] }, symbolSize: 8,
      data: data.trend.map(function (d) {
        return { value: d[key], url: stateParam ? d.url + "&state=" + stateParam : d.url };
      }) };
  }
  make("chart-trend", {
    tooltip: { trigger: "axis", renderMode: "richText" },
    legend: { type: "scroll", top: 0 },
    xAxis: { type: "category", data: days },
    yAxis: { type: "value", minInterval: 1 },
    series: [series("in_transit", "line", "all"), series("warning", "line", "warning"),
             series("overdue", "line", "overdue"), series("new", "bar", "all"),
             series("completed", "bar", "all"), series("newly_overdue", "bar", "overdue")]
  });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
