/* The order detail's timeline as a Gantt chart (ECharts, SVG): one lane per clock, its worked spans, the
 * suspensions as gaps, its deadline and warning marks, and now. The data come from the page
 * (presenters.gantt); times are shifted by Asia/Shanghai's offset and shown with useUTC, so the axis
 * reads Beijing time in any browser. */
(function () {
  "use strict";
  var holder = document.getElementById("gantt");
  var source = document.getElementById("gantt-data");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var text = data.text;
  var off = data.offset_ms;
  var COLOURS = { primary: "#0d6efd", success: "#198754", danger: "#dc3545", warning: "#e0a800",
                  secondary: "#6c757d", dark: "#212529", light: "#adb5bd" };

  function at(ms) { return ms + off; }
  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function show(ms) {
    var d = new Date(at(ms));
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  var names = [], bars = [], gaps = [], marks = [], lo = data.now, hi = data.now;
  data.lanes.forEach(function (lane, i) {
    names.push(lane.spans.length ? lane.name : lane.name + "（" + text.not_started + "）");
    var colour = COLOURS[lane.colour] || COLOURS.primary;
    lane.spans.forEach(function (s) {
      bars.push({ value: [i, at(s[0]), at(s[1])], lane: lane, kind: "span", colour: colour });
      lo = Math.min(lo, s[0]); hi = Math.max(hi, s[1]);
    });
    lane.gaps.forEach(function (g) {
      gaps.push({ value: [i, at(g[0]), at(g[1])], lane: lane, kind: "gap" });
      lo = Math.min(lo, g[0]); hi = Math.max(hi, g[1]);
    });
    if (lane.deadline) {
      // Dark, not red: it must show on a red (overdue) bar as well as on a blue or green one.
      marks.push({ value: [i, at(lane.deadline)], lane: lane, kind: "deadline", colour: COLOURS.dark });
      hi = Math.max(hi, lane.deadline);
    }
    if (lane.warn && lane.spans.length && lane.colour !== "success") {
      marks.push({ value: [i, at(lane.warn)], lane: lane, kind: "warn", colour: "#fd7e14" });
    }
  });
  var margin = Math.max((hi - lo) * 0.04, 3600e3);

  function bar(fill, style) {
    return function (params, api) {
      var start = api.coord([api.value(1), api.value(0)]);
      var end = api.coord([api.value(2), api.value(0)]);
      var height = api.size([0, 1])[1] * 0.45;
      var shape = echarts.graphic.clipRectByRect(
        { x: start[0], y: start[1] - height / 2, width: Math.max(end[0] - start[0], 2), height: height },
        { x: params.coordSys.x, y: params.coordSys.y, width: params.coordSys.width, height: params.coordSys.height });
      if (!shape) return null;
      var item = typeof fill === "function" ? fill(params.dataIndex) : fill;
      return { type: "rect", shape: shape, style: Object.assign({ fill: item }, style) };
    };
  }
  function mark(params, api) {
    var point = api.coord([api.value(1), api.value(0)]);
    var height = api.size([0, 1])[1] * 0.7;
    return { type: "line", shape: { x1: point[0], y1: point[1] - height / 2, x2: point[0], y2: point[1] + height / 2 },
             style: { stroke: marks[params.dataIndex].colour, lineWidth: 3 } };
  }
  function tip(params) {
    var d = params.data, lane = d.lane;
    var head = "<strong>" + lane.name + "</strong> · " + lane.limit + " · " + lane.badge + "<br>";
    if (d.kind === "deadline" || d.kind === "warn") return head + text[d.kind] + " " + show(d.value[1] - off);
    return head + text[d.kind] + " " + show(d.value[1] - off) + " – " + show(d.value[2] - off);
  }

  // The height is set here, not in a style attribute: the pages' Content-Security-Policy allows no inline style.
  holder.style.height = holder.dataset.height + "px";
  var chart = echarts.init(holder, null, { renderer: "svg" });
  var narrow = holder.clientWidth < 576;
  chart.setOption({
    useUTC: true,
    animation: false,
    grid: { left: 8, right: 16, top: 22, bottom: 28, containLabel: true },
    tooltip: { trigger: "item", formatter: tip, confine: true },
    xAxis: { type: "time", min: at(lo - margin), max: at(hi + margin),
             axisLabel: { hideOverlap: true, fontSize: narrow ? 10 : 12,
                          formatter: { year: "{yyyy}", month: "{yyyy}-{MM}", day: "{MM}-{dd}",
                                       hour: "{HH}:{mm}", minute: "{HH}:{mm}" } },
             splitLine: { show: true } },
    yAxis: { type: "category", data: names, inverse: true,
             axisLabel: { width: narrow ? 84 : 180, overflow: "break", fontSize: narrow ? 10 : 12 } },
    series: [
      { type: "custom", name: text.span, renderItem: bar(function (i) { return bars[i].colour; }, {}),
        encode: { x: [1, 2], y: 0 }, data: bars,
        markLine: { symbol: "none", silent: true, label: { formatter: text.now, fontSize: 10, position: "start" },
                    lineStyle: { type: "dashed", color: "#495057" }, data: [{ xAxis: at(data.now) }] } },
      { type: "custom", name: text.gap, encode: { x: [1, 2], y: 0 }, data: gaps,
        renderItem: bar("rgba(108,117,125,0.15)", { stroke: "#6c757d", lineDash: [3, 3], lineWidth: 1 }) },
      { type: "custom", name: text.deadline, renderItem: mark, encode: { x: 1, y: 0 }, data: marks, z: 5 }
    ]
  });
  holder.dataset.ready = "1";
  window.addEventListener("resize", function () { chart.resize(); });
})();
