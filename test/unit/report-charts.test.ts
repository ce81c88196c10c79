// Report charts: SVG drawn by reports/charts.ts, rendered to PNG by resvg, read
// back with a PNG decoder: the images decode, have the declared size, and show
// the data (bar heights in proportion, colours per series) — the same bytes
// for the same input.
import { barChart, lineChart, niceScale, renderPng, seriesColor, shortNumber } from '../../reports/charts.js';
import { decodePng, PNG_SIGNATURE } from '../support/png.js';

const hex = (color: string) => [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));

describe('report charts', () => {
  const categories = Array.from({ length: 24 }, (_, i) => `${String(i).padStart(2, '0')}:00`);
  const spec = {
    title: 'Records per stage and window',
    unit: 'records',
    categories,
    series: [
      { name: 'collected', values: categories.map((_, i) => 1000 + i * 40) },
      { name: 'parsed', values: categories.map((_, i) => (i === 5 ? null : 900 + i * 30)) },
    ],
  };

  it('renders a bar chart to a PNG of exactly the declared size', () => {
    const chart = barChart({ ...spec, width: 800, height: 320 });
    const { png, width, height } = renderPng(chart);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    // IHDR is the first chunk: width and height at bytes 16..24.
    expect(png.toString('latin1', 12, 16)).toBe('IHDR');
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([800, 320]);
    expect([width, height]).toEqual([800, 320]);
    const decoded = decodePng(png);
    expect([decoded.width, decoded.height]).toEqual([800, 320]);
  });

  it('renders a line chart to a PNG of the default size that decodes', () => {
    const chart = lineChart({
      ...spec,
      title: 'Trend',
      categories: ['11-20', '11-21', '11-22'],
      series: [{ name: 'collected', values: [10, null, 30] }],
    });
    const decoded = decodePng(renderPng(chart).png);
    expect([decoded.width, decoded.height]).toEqual([720, 300]);
  });

  it('draws each series in its colour, bars in proportion to their values, a gap for no data', () => {
    const chart = barChart(spec);
    const rects = [
      ...chart.svg.matchAll(
        /<rect x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)" fill="(#[0-9A-F]{6})"\/>/gi,
      ),
    ].map((m) => ({
      x: Number(m[1]),
      y: Number(m[2]),
      w: Number(m[3]),
      h: Number(m[4]),
      fill: m[5]!,
    }));
    const bars = (color: string) => rects.filter((r) => r.fill === color && r.w < 30 && r.h > 0 && r.y > 50);
    const collected = bars(seriesColor(0));
    const parsed = bars(seriesColor(1));
    expect(collected).toHaveLength(24);
    expect(parsed).toHaveLength(23); // the null is left out, not drawn as zero
    // Heights are proportional to values: 1920 / 1000 for the last and first collected bars.
    expect(collected[23]!.h / collected[0]!.h).toBeCloseTo(1920 / 1000, 1);

    // The PNG shows them: the middle of the tallest bar has the series' colour.
    const decoded = decodePng(renderPng(chart).png);
    const tallest = collected[23]!;
    const [r, g, b] = decoded.pixel(Math.round(tallest.x + tallest.w / 2), Math.round(tallest.y + tallest.h / 2));
    expect([r, g, b]).toEqual(hex(seriesColor(0)));
    // And where the missing value would be, the background shows through at the bar's base.
    const slot = collected[1]!.x - collected[0]!.x;
    expect(parsed[5]!.x - parsed[4]!.x).toBeCloseTo(2 * slot, 0); // window 5 has no bar
    const gapX = Math.round(parsed[4]!.x + slot + parsed[4]!.w / 2);
    expect(decoded.pixel(gapX, Math.round(tallest.y + tallest.h - 5)).slice(0, 3)).not.toEqual(hex(seriesColor(1)));
  });

  it('is deterministic: the same input gives the same SVG and the same PNG bytes', () => {
    expect(barChart(spec).svg).toBe(barChart(spec).svg);
    expect(renderPng(barChart(spec)).png.equals(renderPng(barChart(spec)).png)).toBe(true);
  });

  it('escapes text and chooses round axis steps', () => {
    const chart = barChart({ ...spec, title: 'a <b> & "c"' });
    expect(chart.svg).toContain('a &lt;b&gt; &amp; &quot;c&quot;');
    expect(niceScale(1920)).toEqual({ max: 2000, step: 500 });
    expect(niceScale(7)).toEqual({ max: 8, step: 2 });
    expect(niceScale(0)).toEqual({ max: 1, step: 0.2 });
    expect([shortNumber(1500), shortNumber(2_000_000), shortNumber(999), shortNumber(12_345)]).toEqual([
      '1.5k',
      '2M',
      '999',
      '12k',
    ]);
  });
});
