/** Plain SVG line charts: one polyline per policy, axes, ticks, a legend, an optional shaded band. */

export interface Series {
  name: string;
  values: readonly number[];
}

const COLORS: Record<string, string> = {
  switchyard: '#d62728',
  static: '#7f7f7f',
  uniform: '#bcbd22',
  decision_engine_sr: '#1f77b4',
  decision_engine_sr_segmented: '#17becf',
  oracle: '#2ca02c',
};

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function lineChart(options: {
  title: string;
  yLabel: string;
  transactions: number;
  series: readonly Series[];
  /** Shaded [from, to) as fractions of the x range. */
  shade?: [number, number] | undefined;
  shadeLabel?: string;
}): string {
  const width = 900;
  const height = 420;
  const m = { left: 60, right: 160, top: 40, bottom: 50 };
  const w = width - m.left - m.right;
  const h = height - m.top - m.bottom;
  const x = (f: number) => m.left + f * w;
  const y = (v: number) => m.top + (1 - v) * h;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  parts.push(`<rect width="${width}" height="${height}" fill="white"/>`);
  parts.push(`<text x="${width / 2 - m.right / 2}" y="22" text-anchor="middle" font-size="15">${escape(options.title)}</text>`);
  if (options.shade) {
    const [a, b] = options.shade;
    parts.push(`<rect x="${x(a).toFixed(1)}" y="${m.top}" width="${(x(b) - x(a)).toFixed(1)}" height="${h}" fill="#f3d9d9" opacity="0.6"/>`);
    if (options.shadeLabel) parts.push(`<text x="${((x(a) + x(b)) / 2).toFixed(1)}" y="${m.top + 14}" text-anchor="middle" fill="#a33">${escape(options.shadeLabel)}</text>`);
  }
  for (let t = 0; t <= 10; t++) {
    const v = t / 10;
    parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="#eee"/>`);
    parts.push(`<text x="${m.left - 6}" y="${(y(v) + 4).toFixed(1)}" text-anchor="end">${(v * 100).toFixed(0)}%</text>`);
    const tx = Math.round((options.transactions * t) / 10);
    parts.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${m.top + h}" y2="${m.top + h + 5}" stroke="black"/>`);
    parts.push(`<text x="${x(v).toFixed(1)}" y="${m.top + h + 18}" text-anchor="middle">${tx.toLocaleString('en-US')}</text>`);
  }
  parts.push(`<line x1="${m.left}" x2="${m.left + w}" y1="${m.top + h}" y2="${m.top + h}" stroke="black"/>`);
  parts.push(`<line x1="${m.left}" x2="${m.left}" y1="${m.top}" y2="${m.top + h}" stroke="black"/>`);
  parts.push(`<text x="${m.left + w / 2}" y="${height - 10}" text-anchor="middle">transaction index</text>`);
  parts.push(`<text transform="translate(16 ${m.top + h / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`);
  options.series.forEach((s, k) => {
    const color = COLORS[s.name] ?? '#000';
    const count = s.values.length;
    const points = s.values.map((v, i) => `${x((i + 0.5) / count).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="${s.name === 'switchyard' ? 2.2 : 1.4}" points="${points}"/>`);
    const ly = m.top + 10 + k * 20;
    parts.push(`<line x1="${m.left + w + 15}" x2="${m.left + w + 40}" y1="${ly}" y2="${ly}" stroke="${color}" stroke-width="2.2"/>`);
    parts.push(`<text x="${m.left + w + 46}" y="${ly + 4}">${escape(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}
