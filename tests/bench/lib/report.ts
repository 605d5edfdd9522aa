/** The results file, the printed table and the scaling chart. */
import fs from 'node:fs';
import path from 'node:path';

export interface Entry {
  ours: number | null;
  baseline: number | null;
  ratio: number | null;
  unit: string;
  detail: Record<string, unknown>;
}

/** Targets of issue 4, by key: the ratio must be at least `min` or at most `max`. */
export const targets: Record<string, { min?: number; max?: number }> = {
  append_single: { min: 0.7 },
  append_concurrent: { min: 0.4 },
  append_vs_peer: { min: 5 },
  comment_http: { min: 0.5 },
  page_policy_anonymous: { min: 0.5 },
  page_home_anonymous: { min: 0.5 },
  page_policy_signed_in: { min: 0.1 },
  comment_form_post: { min: 0.25 },
  rebuild: { min: 0.5 },
  rss_mb: { max: 1 },
  scaling: { min: 0.8 },
};

export function verdict(key: string, e: Entry): string {
  const t = targets[key];
  if (!t || e.ratio === null) return e.ratio === null ? 'skipped' : '';
  const ok = (t.min === undefined || e.ratio >= t.min) && (t.max === undefined || e.ratio <= t.max);
  const failures = typeof e.detail.failures === 'number' && e.detail.failures > 0;
  return ok && !failures ? 'met' : 'MISSED';
}

function fmt(n: number | null): string {
  if (n === null) return '—';
  return Math.abs(n) >= 100 ? Math.round(n).toLocaleString('en-US') : String(n);
}

export function table(results: Record<string, Entry>): string {
  const rows = [['key', 'ours', 'baseline', 'ratio', 'unit', 'target', '']];
  for (const [key, e] of Object.entries(results)) {
    const t = targets[key];
    const target = t ? (t.min !== undefined ? `≥ ${t.min}` : `≤ ${t.max}`) : '';
    const note = e.detail.skipped ? `skipped: ${String(e.detail.skipped)}` : verdict(key, e);
    rows.push([
      key,
      fmt(e.ours),
      e.baseline === null && e.detail.skipped ? String(e.detail.skipped).slice(0, 40) : fmt(e.baseline),
      fmt(e.ratio),
      e.unit,
      target,
      note,
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

export function writeResults(
  dir: string,
  results: Record<string, Entry>,
  run: Record<string, unknown>,
  name = 'latest',
): string {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, `${name}-run.json`), `${JSON.stringify(run, null, 2)}\n`);
  return file;
}

export interface Series {
  name: string;
  color: string;
  points: { x: number; y: number }[];
}

/** A hand-written SVG line chart: log-scale x (events in the log), linear y (requests/s). */
export function scalingSvg(series: Series[], title: string): string {
  const W = 720;
  const H = 420;
  const m = { l: 70, r: 180, t: 40, b: 60 };
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const lx0 = Math.log10(Math.min(...xs));
  const lx1 = Math.max(lx0 + 1, Math.log10(Math.max(...xs)));
  const yMax = niceMax(Math.max(1, ...ys));
  const px = (x: number) => m.l + ((Math.log10(x) - lx0) / (lx1 - lx0)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - (y / yMax) * (H - m.t - m.b);
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2 - 60}" y="22" font-size="15" text-anchor="middle">${escapeXml(title)}</text>`);
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5;
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${py(y)}" y2="${py(y)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${m.l - 8}" y="${py(y) + 4}" text-anchor="end">${Math.round(y)}</text>`);
  }
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) {
    parts.push(`<line x1="${px(x)}" x2="${px(x)}" y1="${m.t}" y2="${H - m.b}" stroke="#f0f0f0"/>`);
    parts.push(
      `<text x="${px(x)}" y="${H - m.b + 18}" text-anchor="middle">${x >= 1e6 ? `${x / 1e6}M` : x >= 1e3 ? `${Math.round(x / 1e3)}k` : x}</text>`,
    );
  }
  parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${H - m.b}" y2="${H - m.b}" stroke="black"/>`);
  parts.push(`<line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${H - m.b}" stroke="black"/>`);
  parts.push(
    `<text x="${(m.l + W - m.r) / 2}" y="${H - 15}" text-anchor="middle">events in the log (log scale)</text>`,
  );
  parts.push(
    `<text x="18" y="${(m.t + H - m.b) / 2}" text-anchor="middle" transform="rotate(-90 18 ${(m.t + H - m.b) / 2})">requests/s</text>`,
  );
  series.forEach((s, i) => {
    const pts = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`);
    for (const p of s.points) {
      parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${s.color}"/>`);
      parts.push(
        `<text x="${px(p.x).toFixed(1)}" y="${(py(p.y) - 8).toFixed(1)}" text-anchor="middle" fill="${s.color}">${Math.round(p.y)}</text>`,
      );
    }
    parts.push(`<rect x="${W - m.r + 15}" y="${m.t + i * 22}" width="14" height="4" fill="${s.color}"/>`);
    parts.push(`<text x="${W - m.r + 35}" y="${m.t + i * 22 + 6}">${escapeXml(s.name)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const f of [1, 2, 2.5, 5, 10]) if (f * p >= v) return f * p;
  return 10 * p;
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}
