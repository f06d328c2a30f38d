/**
 * Server-side rendering of one dashboard panel as a self-contained HTML page with an inline
 * SVG chart: no scripts, no external resources, so the console's iframe shows it as is.
 * Every text from a dashboard or a series is escaped.
 */

export type RenderedSeries = { name: string; points: { time: number; value: number }[] };

export type PanelPageInput = {
  title: string;
  theme: "light" | "dark";
  /** Time range of the x axis, epoch ms. */
  from: number;
  to: number;
  unit?: string;
  series: RenderedSeries[];
  /** Shown instead of the chart when the query failed. */
  error?: string;
  panelId: number;
  dashboardUid: string;
};

const WIDTH = 800;
const HEIGHT = 300;
const MARGIN = { top: 12, right: 16, bottom: 28, left: 72 };
const PALETTE = ["#73BF69", "#F2CC0C", "#8AB8FF", "#FF780A", "#F2495C", "#5794F2", "#B877D9", "#FADE2A"];
const THEMES = {
  dark: { background: "#181b1f", text: "#ccccdc", muted: "#8e8e9a", grid: "#2c3235", error: "#F2495C" },
  light: { background: "#ffffff", text: "#24292e", muted: "#6e7781", grid: "#e4e7eb", error: "#C4162A" },
};

export function renderPanelPage(input: PanelPageInput): string {
  const colors = THEMES[input.theme];
  const body = input.error !== undefined ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : renderChart(input, colors);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(input.title)}</title>
<style>
html,body{margin:0;height:100%;background:${colors.background};color:${colors.text};font:12px/1.4 Inter,Helvetica,Arial,sans-serif}
.panel{display:flex;flex-direction:column;height:100%;box-sizing:border-box;padding:8px}
h1{font-size:14px;font-weight:500;margin:0 0 6px}
svg{flex:1;width:100%;min-height:0}
.legend{list-style:none;margin:4px 0 0;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px}
.legend span{display:inline-block;width:14px;height:3px;margin-right:6px;vertical-align:middle}
.error{color:${colors.error}}
.empty{fill:${colors.muted}}
</style>
</head>
<body class="theme-${input.theme}">
<div class="panel" data-dashboard-uid="${escapeHtml(input.dashboardUid)}" data-panel-id="${input.panelId}">
<h1>${escapeHtml(input.title)}</h1>
${body}
</div>
</body>
</html>
`;
}

function renderChart(input: PanelPageInput, colors: (typeof THEMES)["dark"]): string {
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const finite = input.series.flatMap((s) => s.points.map((p) => p.value)).filter(Number.isFinite);
  let yMin = Math.min(0, ...finite);
  let yMax = finite.length > 0 ? Math.max(...finite) : 1;
  if (yMax === yMin) yMax = yMin + 1;
  yMax += (yMax - yMin) * 0.05;
  if (yMin < 0) yMin -= (yMax - yMin) * 0.05;
  const span = Math.max(1, input.to - input.from);
  const x = (time: number) => MARGIN.left + ((time - input.from) / span) * plotWidth;
  const y = (value: number) => MARGIN.top + (1 - (value - yMin) / (yMax - yMin)) * plotHeight;

  const grid: string[] = [];
  for (let tick = 0; tick <= 4; tick++) {
    const value = yMin + ((yMax - yMin) * tick) / 4;
    const ty = y(value).toFixed(1);
    grid.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${ty}" y2="${ty}" stroke="${colors.grid}"/>`);
    grid.push(`<text x="${MARGIN.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle" fill="${colors.muted}">${escapeHtml(formatValue(value, input.unit))}</text>`);
  }
  const bottom = HEIGHT - 8;
  grid.push(`<text x="${MARGIN.left}" y="${bottom}" fill="${colors.muted}">${formatClock(input.from)}</text>`);
  grid.push(`<text x="${WIDTH - MARGIN.right}" y="${bottom}" text-anchor="end" fill="${colors.muted}">${formatClock(input.to)}</text>`);

  const paths = input.series.map((series, index) => {
    // A non-finite value (NaN, ±Inf) breaks the line, as Grafana leaves a gap.
    let command = "M";
    const parts: string[] = [];
    let drawn = 0;
    for (const point of series.points) {
      if (!Number.isFinite(point.value)) {
        command = "M";
        continue;
      }
      parts.push(`${command}${x(point.time * 1000).toFixed(1)},${y(point.value).toFixed(1)}`);
      command = "L";
      drawn++;
    }
    const color = PALETTE[index % PALETTE.length]!;
    return `<path d="${parts.join(" ")}" fill="none" stroke="${color}" stroke-width="2" data-series="${escapeHtml(series.name)}" data-points="${drawn}"><title>${escapeHtml(series.name)}</title></path>`;
  });
  const empty = input.series.length === 0 ? `<text class="empty" x="${WIDTH / 2}" y="${HEIGHT / 2}" text-anchor="middle">No data</text>` : "";
  const legend = input.series
    .map((series, index) => `<li><span style="background:${PALETTE[index % PALETTE.length]}"></span>${escapeHtml(series.name)}</li>`)
    .join("");
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" preserveAspectRatio="none" role="img" aria-label="${escapeHtml(input.title)}">
${grid.join("\n")}
${paths.join("\n")}
${empty}
</svg>
<ul class="legend">${legend}</ul>`;
}

function formatValue(value: number, unit: string | undefined): string {
  const round = (n: number) => (Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2));
  switch (unit) {
    case "percent":
      return `${round(value)}%`;
    case "percentunit":
      return `${round(value * 100)}%`;
    case "bytes":
    case "decbytes": {
      const units = ["B", "KiB", "MiB", "GiB", "TiB"];
      let scaled = value;
      let index = 0;
      while (Math.abs(scaled) >= 1024 && index < units.length - 1) {
        scaled /= 1024;
        index++;
      }
      return `${round(scaled)} ${units[index]}`;
    }
    case "reqps":
      return `${round(value)} req/s`;
    default:
      return round(value);
  }
}

function formatClock(milliseconds: number): string {
  return new Date(milliseconds).toISOString().slice(11, 16);
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[char]!);
}
