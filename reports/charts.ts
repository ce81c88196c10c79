// Charts for reports, drawn as SVG by hand (grouped bars for counts per stage
// and window, lines for trends) and rendered to PNG with resvg, so an email
// client shows them without scripts or remote images. The SVG is a pure
// function of its input — same numbers, same bytes — with fixed sizes,
// rounded coordinates and one colour per series in a colour-blind-safe order.
// Built with evaluation/html.ts's `html`, which escapes the titles, names and labels.
import { Resvg } from '@resvg/resvg-js';
import { html, joinHtml, type Html } from '../evaluation/html.js';

export interface Series {
  name: string;
  /** One value per category; null is "no data" (a gap, not a zero). */
  values: Array<number | null>;
}

export interface ChartSpec {
  title: string;
  /** Labels along the x axis, one per value of each series. */
  categories: string[];
  series: Series[];
  /** Unit shown after the y axis numbers' title, e.g. "records". */
  unit?: string;
  width?: number;
  height?: number;
}

export interface Chart {
  svg: string;
  width: number;
  height: number;
}

export interface RenderedChart {
  png: Buffer;
  width: number;
  height: number;
}

// Okabe–Ito: distinguishable with the common colour-vision deficiencies.
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#CC79A7', '#56B4E9', '#F0E442', '#000000'];
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const MARGIN = { top: 56, right: 20, bottom: 44, left: 64 };

export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length]!;
}

/** Coordinates with at most one decimal, so the text of the SVG is stable. */
const r = (n: number) => String(Math.round(n * 10) / 10);

/** 1234 → "1.2k", 2500000 → "2.5M": short labels for axes. */
export function shortNumber(n: number): string {
  const abs = Math.abs(n);
  const unit = abs >= 1e9 ? ['G', 1e9] : abs >= 1e6 ? ['M', 1e6] : abs >= 1e3 ? ['k', 1e3] : ['', 1];
  const scaled = n / (unit[1] as number);
  const text = Number.isInteger(scaled) ? String(scaled) : scaled.toFixed(Math.abs(scaled) >= 10 ? 0 : 1);
  return `${text}${unit[0]}`;
}

/** A round upper bound and step for the y axis (steps of 1, 2 or 5 × 10^k), about `ticks` steps. */
export function niceScale(max: number, ticks = 5): { max: number; step: number } {
  if (!(max > 0)) return { max: 1, step: 0.2 };
  const raw = max / ticks;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  return { max: Math.ceil(max / step) * step, step };
}

interface Frame {
  width: number;
  height: number;
  plot: { x: number; y: number; w: number; h: number };
  y: (v: number) => number;
  parts: Html[];
}

/** Background, title, legend, y grid with labels and x labels (thinned to fit): what both chart kinds share. */
function frame(spec: ChartSpec, xCenter: (i: number) => number): Frame {
  const width = spec.width ?? 720;
  const height = spec.height ?? 300;
  const plot = {
    x: MARGIN.left,
    y: MARGIN.top,
    w: width - MARGIN.left - MARGIN.right,
    h: height - MARGIN.top - MARGIN.bottom,
  };
  const values = spec.series.flatMap((s) => s.values).filter((v): v is number => v !== null && Number.isFinite(v));
  const scale = niceScale(Math.max(0, ...values));
  const y = (v: number) => plot.y + plot.h - (Math.max(0, v) / scale.max) * plot.h;
  const parts: Html[] = [
    html`<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    html`<text x="${MARGIN.left}" y="22" font-family="${FONT}" font-size="15" font-weight="bold" fill="#1f2328">${spec.title}</text>`,
  ];
  // Legend: one swatch and name per series, left to right.
  let lx = MARGIN.left;
  spec.series.forEach((s, i) => {
    parts.push(html`<rect x="${lx}" y="32" width="12" height="12" fill="${seriesColor(i)}"/>`);
    parts.push(html`<text x="${lx + 16}" y="42" font-family="${FONT}" font-size="12" fill="#1f2328">${s.name}</text>`);
    lx += 16 + Math.max(40, s.name.length * 7 + 16);
  });
  for (let v = 0; v <= scale.max + scale.step / 2; v += scale.step) {
    const yy = r(y(v));
    parts.push(
      html`<line x1="${plot.x}" y1="${yy}" x2="${plot.x + plot.w}" y2="${yy}" stroke="${v === 0 ? '#57606a' : '#d0d7de'}" stroke-width="1"/>`,
    );
    parts.push(
      html`<text x="${plot.x - 6}" y="${r(y(v) + 4)}" text-anchor="end" font-family="${FONT}" font-size="11" fill="#57606a">${shortNumber(v)}</text>`,
    );
  }
  if (spec.unit) {
    parts.push(
      html`<text x="14" y="${r(plot.y + plot.h / 2)}" transform="rotate(-90 14 ${r(plot.y + plot.h / 2)})" text-anchor="middle" font-family="${FONT}" font-size="11" fill="#57606a">${spec.unit}</text>`,
    );
  }
  const n = spec.categories.length;
  // At most one label per ~56 px, always the first and the last.
  const every = Math.max(1, Math.ceil(n / Math.max(1, Math.floor(plot.w / 56))));
  spec.categories.forEach((c, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    if (i === n - 1 && i % every !== 0 && i % every < every / 2) return; // too close to the previous label
    parts.push(
      html`<text x="${r(xCenter(i))}" y="${plot.y + plot.h + 18}" text-anchor="middle" font-family="${FONT}" font-size="11" fill="#57606a">${c}</text>`,
    );
  });
  return { width, height, plot, y, parts };
}

function finish(f: Frame, spec: ChartSpec): Chart {
  const svg = joinHtml(
    [
      html`<svg xmlns="http://www.w3.org/2000/svg" width="${f.width}" height="${f.height}" viewBox="0 0 ${f.width} ${f.height}">`,
      html`<title>${spec.title}</title>`,
      ...f.parts,
      html`</svg>`,
    ],
    '\n',
  ).markup;
  return { svg, width: f.width, height: f.height };
}

/** Grouped bars: one group per category (a window), one bar per series (a stage). */
export function barChart(spec: ChartSpec): Chart {
  const width = spec.width ?? 720;
  const plotW = width - MARGIN.left - MARGIN.right;
  const n = Math.max(1, spec.categories.length);
  const slot = plotW / n;
  const xCenter = (i: number) => MARGIN.left + slot * (i + 0.5);
  const f = frame(spec, xCenter);
  const k = Math.max(1, spec.series.length);
  const groupW = slot * 0.8;
  const barW = groupW / k;
  spec.series.forEach((s, si) => {
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      const x = MARGIN.left + slot * i + (slot - groupW) / 2 + barW * si;
      const top = f.y(v);
      const h = f.plot.y + f.plot.h - top;
      f.parts.push(
        html`<rect x="${r(x)}" y="${r(top)}" width="${r(Math.max(1, barW - (barW > 3 ? 1 : 0)))}" height="${r(h)}" fill="${seriesColor(si)}"/>`,
      );
    });
  });
  return finish(f, spec);
}

/** Lines with a dot per point; a null breaks the line. */
export function lineChart(spec: ChartSpec): Chart {
  const width = spec.width ?? 720;
  const plotW = width - MARGIN.left - MARGIN.right;
  const n = spec.categories.length;
  // Inset so the first and last labels stay inside the image.
  const inset = 20;
  const xCenter = (i: number) =>
    MARGIN.left + inset + (n <= 1 ? (plotW - 2 * inset) / 2 : ((plotW - 2 * inset) * i) / (n - 1));
  const f = frame(spec, xCenter);
  spec.series.forEach((s, si) => {
    const color = seriesColor(si);
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1)
        f.parts.push(
          html`<polyline points="${run.join(' ')}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>`,
        );
      run = [];
    };
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return flush();
      run.push(`${r(xCenter(i))},${r(f.y(v))}`);
    });
    flush();
    s.values.forEach((v, i) => {
      if (v === null || !Number.isFinite(v)) return;
      f.parts.push(html`<circle cx="${r(xCenter(i))}" cy="${r(f.y(v))}" r="3" fill="${color}"/>`);
    });
  });
  return finish(f, spec);
}

/** The chart as a PNG of exactly its declared size, text drawn with the machine's fonts. */
export function renderPng(chart: Chart): RenderedChart {
  const resvg = new Resvg(chart.svg, {
    fitTo: { mode: 'original' },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  });
  const image = resvg.render();
  return { png: Buffer.from(image.asPng()), width: image.width, height: image.height };
}
