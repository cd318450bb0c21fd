// A self-contained HTML page for a backtest: cumulative expected revenue and daily regret per
// strategy as inline SVG, and the summary table. No scripts, no external assets.
import { toMajor } from '../engine/money.ts';
import type { BacktestReport } from './closed-loop.ts';

const COLORS: Record<string, string> = { oracle: '#222222', bayes: '#1f77b4', spec: '#d62728', uniform: '#7f7f7f' };

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function chart(title: string, report: BacktestReport, value: (day: number, strategy: number) => number): string {
  const w = 640;
  const h = 260;
  const pad = 40;
  const n = report.days;
  const all = report.series.flatMap((_, si) => Array.from({ length: n }, (_, d) => value(d, si)));
  const max = Math.max(1, ...all);
  const min = Math.min(0, ...all);
  const x = (d: number) => pad + ((w - 2 * pad) * d) / Math.max(1, n - 1);
  const y = (v: number) => h - pad - ((h - 2 * pad) * (v - min)) / (max - min);
  const lines = report.series.map((s, si) => {
    const points = Array.from({ length: n }, (_, d) => `${x(d).toFixed(1)},${y(value(d, si)).toFixed(1)}`).join(' ');
    return `<polyline fill="none" stroke="${COLORS[s.strategy] ?? '#2ca02c'}" stroke-width="2" points="${points}"><title>${escape(s.strategy)}</title></polyline>`;
  });
  const legend = report.series.map((s, si) => `<text x="${pad + si * 110}" y="16" fill="${COLORS[s.strategy] ?? '#2ca02c'}">■ ${escape(s.strategy)}</text>`);
  return `<figure><figcaption>${escape(title)}</figcaption><svg width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="sans-serif" font-size="12">
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#999"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#999"/>
<text x="${pad}" y="${h - 10}">day 1</text><text x="${w - pad - 40}" y="${h - 10}">day ${n}</text><text x="4" y="${pad}">${Math.round(toMajor(max, report.currency))}</text>
${legend.join('')}${lines.join('')}</svg></figure>`;
}

export function backtestHtml(report: BacktestReport): string {
  const money = (minor: number) => toMajor(minor, report.currency).toLocaleString('en', { maximumFractionDigits: 0 });
  const cumulative = report.series.map((s) => {
    let sum = 0;
    return s.days.map((d) => (sum += d.expectedRevenueMinor));
  });
  const rows = report.series
    .map((s) => `<tr><td>${escape(s.strategy)}</td><td>${money(s.cumulativeExpectedRevenueMinor)}</td><td>${(s.shareOfOracle * 100).toFixed(1)} %</td><td>${s.calibrationAbsError === null ? '–' : `${(s.calibrationAbsError * 100).toFixed(1)} %`}</td></tr>`)
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Backtest, market seed ${escape(String(report.marketSeed))}</title>
<style>body{font-family:sans-serif;max-width:760px;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child{text-align:left}</style></head><body>
<h1>Backtest on stub market ${escape(String(report.marketSeed))}</h1>
<p>Campaign ${escape(report.campaignId)}, daily budget ${money(report.dailyBudgetMinor)} ${escape(report.currency)}, ${report.historyDays} days of history, ${report.days} simulated days. Revenue is each decision's expectation under the market's true curves; calibration compares the optimizer's expected ROAS with the ROAS the noisy market delivered over the last 7 days.</p>
<table><tr><th>strategy</th><th>expected revenue</th><th>of oracle</th><th>ROAS calibration error</th></tr>${rows}</table>
${chart(`Cumulative expected revenue (${report.currency})`, report, (d, si) => cumulative[si]![d]!)}
${chart(`Daily regret against the oracle (${report.currency})`, report, (d, si) => report.series[si]!.days[d]!.regretMinor)}
</body></html>
`;
}
