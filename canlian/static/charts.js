// Canlian charts: draw every chart of the page with Apache ECharts' SVG renderer.
//
// templates/_chart.html renders each chart as a <figure>: the drawing's container
// (.cl-chart__drawing, aria-hidden: the table beside it is the accessible version), a summary
// and the data table. It loads this file as a module, once per chart; a module runs once
// however often a page names it. The data comes from the chart's JSON island
// (json_script, never executed), so nothing here is inline and the Content-Security-Policy
// (script-src 'self'; style-src 'self') holds: ECharts' SVG renderer sets styles through
// element.style (CSSOM), which the policy allows, and the tooltip is drawn inside the SVG
// (renderMode "richText"), not as HTML markup with style attributes.
//
// ECharts' common build (bar, line, the SVG renderer, the aria decals) is a UMD bundle: run as
// a module it sets globalThis.echarts. scripts/build-assets.sh copies it next to this file.

import "./build/echarts.common.min.js";

const echarts = globalThis.echarts;
const root = document.documentElement;

// Series are told apart by pattern (aria decals on bars), by marker shape and dash (lines) as
// well as by colour. Both palettes keep 3:1 against their background (WCAG 1.4.11).
const PALETTE = ["#00625e", "#c25100", "#1d70b8", "#912b88", "#5a7a00", "#4c2c92", "#505a5f"];
const PALETTE_HIGH = ["#ffff00", "#00ffff", "#ffffff", "#ff80ff", "#7fe0a0", "#ffb000", "#80b0ff"];
const SYMBOLS = ["circle", "rect", "triangle", "diamond", "pin", "arrow", "roundRect"];
const DASHES = ["solid", "dashed", "dotted", [12, 4, 2, 4], [2, 6], [16, 6], [6, 3, 6, 9]];

function decals(color) {
  return [
    { color, dashArrayX: [1, 0], dashArrayY: [2, 5], symbolSize: 1, rotation: Math.PI / 6 },
    { color, symbol: "circle", dashArrayX: [[8, 8], [0, 8, 8, 0]], dashArrayY: [6, 0], symbolSize: 0.8 },
    { color, dashArrayX: [1, 0], dashArrayY: [4, 3], rotation: -Math.PI / 4 },
    { color, dashArrayX: [[6, 6], [0, 6, 6, 0]], dashArrayY: [6, 0] },
    { color, dashArrayX: [[1, 0], [1, 6]], dashArrayY: [1, 0, 6, 0], rotation: Math.PI / 4 },
    { color, symbol: "triangle", dashArrayX: [[9, 9], [0, 9, 9, 0]], dashArrayY: [7, 2], symbolSize: 0.75 },
    { color, dashArrayX: [1, 0], dashArrayY: [3, 3] },
  ];
}

// The display the user chose (canlian/web/preferences.py puts its classes on <html>) and
// the system's reduced-motion setting.
function display() {
  const high = root.classList.contains("cl-contrast-high");
  // The text size (cl-text-large, cl-text-larger, or the browser's own setting) is the root
  // font size; ECharts sizes its text in pixels, so it is scaled by the same factor.
  const scale = parseFloat(getComputedStyle(root).fontSize) / 16 || 1;
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  return {
    high,
    scale,
    reduced,
    text: high ? "#ffffff" : "#0b0c0c",
    lines: high ? "#ffffff" : "#505a5f",
    grid: high ? "#808080" : "#d9dcdd",
    background: high ? "#000000" : "#ffffff",
    palette: high ? PALETTE_HIGH : PALETTE,
    decal: high ? "rgba(0, 0, 0, 0.7)" : "rgba(255, 255, 255, 0.6)",
    font: getComputedStyle(document.body).fontFamily,
  };
}

const grouping = new Intl.NumberFormat("en-US", { maximumFractionDigits: 2 });

function options(data, d) {
  const line = data.kind === "line";
  const several = data.series.length > 1;
  const size = Math.round(16 * d.scale);
  const text = { color: d.text, fontFamily: d.font, fontSize: size };
  // Bars lie on their side, in the table's order from the top, so that long place names
  // read across; a line runs left to right through time.
  const categoryAxis = {
    type: "category",
    data: data.categories,
    inverse: !line,
    axisLabel: { ...text, interval: 0, hideOverlap: line },
    axisLine: { lineStyle: { color: d.lines } },
    axisTick: { lineStyle: { color: d.lines } },
  };
  const valueAxis = {
    type: "value",
    // Figures that would overlap on a narrow screen are left out, not drawn over each other.
    axisLabel: { ...text, formatter: (v) => grouping.format(v), hideOverlap: true },
    axisLine: { show: true, lineStyle: { color: d.lines } },
    splitLine: { lineStyle: { color: d.grid } },
  };
  return {
    animation: !d.reduced,
    backgroundColor: "transparent",
    color: d.palette,
    textStyle: text,
    aria: {
      enabled: true,
      // The container is aria-hidden: ECharts' own description would never be read.
      label: { enabled: false },
      decal: { show: several && !line, decals: decals(d.decal) },
    },
    legend: {
      show: several,
      top: 0,
      left: 0,
      // The chart shows what the table shows: series cannot be switched off.
      selectedMode: false,
      textStyle: text,
      itemWidth: Math.round(30 * d.scale),
      itemHeight: Math.round(16 * d.scale),
      itemGap: Math.round(16 * d.scale),
    },
    grid: { top: several ? Math.round(40 * d.scale) : 8, left: 8, right: 24, bottom: 8 },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: line ? "line" : "shadow" },
      // Drawn inside the SVG: the HTML tooltip writes style attributes into its markup,
      // which the Content-Security-Policy refuses.
      renderMode: "richText",
      textStyle: { ...text, color: d.high ? "#000000" : "#ffffff" },
      backgroundColor: d.high ? "#ffffff" : "#0b0c0c",
      borderColor: d.high ? "#ffffff" : "#0b0c0c",
    },
    xAxis: line ? categoryAxis : valueAxis,
    yAxis: line ? valueAxis : categoryAxis,
    series: data.series.map((s, i) => ({
      name: s.name,
      type: line ? "line" : "bar",
      stack: data.kind === "stacked_bar" ? "total" : undefined,
      data: s.values,
      // Lines: a marker shape and a dash of their own; bars: an edge in the background's
      // colour between neighbours.
      symbol: SYMBOLS[i % SYMBOLS.length],
      symbolSize: Math.round(9 * d.scale),
      lineStyle: { width: Math.max(2, Math.round(2 * d.scale)), type: DASHES[i % DASHES.length] },
      itemStyle: line ? {} : { borderColor: d.background, borderWidth: 1 },
      barMaxWidth: Math.round(40 * d.scale),
      emphasis: { disabled: true },
      // Each value as the summary writes it, with its unit (12,345人).
      tooltip: { valueFormatter: (v, index) => (v == null ? "—" : s.labels[index]) },
    })),
  };
}

function draw(container) {
  const island = document.getElementById(container.dataset.chart);
  if (!island) return;
  const data = JSON.parse(island.textContent);
  const d = display();
  // Shown (and given its size) only now: without JavaScript, or if ECharts did not load, the
  // figure holds the summary and the table alone. Sizes set through element.style (CSSOM).
  container.classList.add("cl-chart__drawing--drawn");
  if (data.kind !== "line") {
    const rows = data.categories.length * (data.kind === "bar" ? data.series.length : 1);
    container.style.height = `${Math.max(12, 2 + rows * 2.25 + (data.series.length > 1 ? 3 : 0))}rem`;
  }
  const lang = root.lang.toLowerCase().startsWith("zh") ? "ZH" : "EN";
  const chart = echarts.init(container, null, { renderer: "svg", locale: lang });
  chart.setOption(options(data, d));
  return chart;
}

if (echarts) {
  const charts = [];
  for (const container of document.querySelectorAll(".cl-chart__drawing[data-chart]")) {
    const chart = draw(container);
    if (chart) charts.push(chart);
  }
  // Follow each drawing's own width (the window's, a zoom, the text size that moves the
  // grid's columns): one resize per frame at most.
  let pending = false;
  const redraw = () => {
    if (pending) return;
    pending = true;
    window.requestAnimationFrame(() => {
      pending = false;
      for (const chart of charts) chart.resize();
    });
  };
  if (window.ResizeObserver) {
    const observer = new ResizeObserver(redraw);
    for (const chart of charts) observer.observe(chart.getDom());
  } else {
    window.addEventListener("resize", redraw);
  }
}
