// The strategy against its baseline, the uniform split and the oracle: from a backtest JSON file
// (the `backtest` command writes one) or run on the server.
import type { ChartConfiguration } from 'chart.js';
import { useMemo, useState } from 'preact/hooks';
import { api } from '../api.ts';
import type { BacktestReport } from '../api-types.ts';
import { ChartCanvas, COLORS } from '../components/chart.tsx';
import { Empty, ErrorBox } from '../components/states.tsx';
import { fromMinor, money, percent } from '../format.ts';
import { canWrite, type Session } from '../session.ts';

const STYLE: Record<string, { color: string; dash: number[]; note: string }> = {
  bayes: { color: COLORS.blue, dash: [], note: 'solid' },
  spec: { color: COLORS.orange, dash: [8, 4], note: 'dashed' },
  uniform: { color: COLORS.grey, dash: [2, 3], note: 'dotted' },
  oracle: { color: COLORS.green, dash: [12, 3, 2, 3], note: 'dash-dot' },
};

export function BacktestPage({ session }: { session: Session }) {
  const [report, setReport] = useState<BacktestReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const [days, setDays] = useState('28');
  const [seed, setSeed] = useState('7');

  const run = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      setReport(await api<BacktestReport>('/meta/targeting/backtest', { method: 'POST', json: { days: Number(days), market_seed: Number(seed) } }));
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const open = async (e: Event) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file === undefined) return;
    setError(null);
    try {
      const parsed = JSON.parse(await file.text()) as BacktestReport;
      if (!Array.isArray(parsed.series) || typeof parsed.currency !== 'string') throw new Error(`${file.name} is not a backtest report (no series or currency): use the .json file the backtest command writes`);
      setReport(parsed);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section>
      <div class="grid2">
        {canWrite(session) ? (
          <form class="stack" onSubmit={(e) => void run(e)}>
            <h2>Run on a synthetic market</h2>
            <label for="bt-days">Simulated days (1–56)</label>
            <input id="bt-days" type="number" min={1} max={56} value={days} onInput={(e) => setDays((e.target as HTMLInputElement).value)} />
            <label for="bt-seed">Market seed</label>
            <input id="bt-seed" type="number" min={0} value={seed} onInput={(e) => setSeed((e.target as HTMLInputElement).value)} />
            <button type="submit" disabled={busy}>
              {busy ? 'Running… (a few seconds)' : 'Run backtest'}
            </button>
            {busy && <progress aria-label="Backtest running" />}
          </form>
        ) : (
          <p class="help">Running a backtest on the server takes a manager or admin; you can open a report file.</p>
        )}
        <div class="stack">
          <h2>Or open a report</h2>
          <label for="bt-file">Backtest JSON (from <code>npx targeting-optimizer backtest</code>)</label>
          <input id="bt-file" type="file" accept="application/json,.json" onChange={(e) => void open(e)} />
        </div>
      </div>
      {error !== null && <ErrorBox error={error} />}
      {report === null && error === null && <Empty>No backtest shown yet: run one or open a report file.</Empty>}
      {report !== null && <Report report={report} />}
    </section>
  );
}

function Report({ report }: { report: BacktestReport }) {
  const c = report.currency;
  const labels = report.series[0]?.days.map((d) => d.date) ?? [];
  const cumulative = useMemo<ChartConfiguration>(
    () => ({
      type: 'line',
      data: {
        labels,
        datasets: report.series.map((s) => {
          let sum = 0;
          const style = STYLE[s.strategy] ?? { color: COLORS.purple, dash: [], note: '' };
          return { label: `${s.strategy} (${style.note})`, data: s.days.map((d) => (sum += fromMinor(d.expectedRevenueMinor, c))), borderColor: style.color, borderDash: style.dash, pointRadius: 0, borderWidth: 2 };
        }),
      },
      options: { plugins: { legend: { position: 'bottom' } }, scales: { y: { title: { display: true, text: `Cumulative expected revenue (${c})` }, ticks: { callback: (v) => money(Number(v), c) } } } },
    }),
    [report],
  );
  const regret = useMemo<ChartConfiguration>(
    () => ({
      type: 'line',
      data: {
        labels,
        datasets: report.series
          .filter((s) => s.strategy !== 'oracle')
          .map((s) => {
            const style = STYLE[s.strategy] ?? { color: COLORS.purple, dash: [], note: '' };
            return { label: `${s.strategy} (${style.note})`, data: s.days.map((d) => fromMinor(d.regretMinor, c)), borderColor: style.color, borderDash: style.dash, pointRadius: 0, borderWidth: 2 };
          }),
      },
      options: { plugins: { legend: { position: 'bottom' } }, scales: { y: { title: { display: true, text: `Daily regret against the oracle (${c})` }, ticks: { callback: (v) => money(Number(v), c) } } } },
    }),
    [report],
  );
  return (
    <article>
      <p>
        Market {String(report.marketSeed)} ({report.family}), {report.historyDays} days of history, {report.days} simulated days, daily budget {money(fromMinor(report.dailyBudgetMinor, c), c)}.
      </p>
      <div class="table-wrap"><table class="compact">
        <caption>Strategies over the whole backtest</caption>
        <thead>
          <tr>
            <th scope="col">Strategy</th>
            <th scope="col" class="num">Expected revenue</th>
            <th scope="col" class="num">Share of the oracle</th>
            <th scope="col" class="num">ROAS calibration (bias)</th>
          </tr>
        </thead>
        <tbody>
          {report.series.map((s) => (
            <tr key={s.strategy}>
              <th scope="row">{s.strategy}</th>
              <td class="num">{money(fromMinor(s.cumulativeExpectedRevenueMinor, c), c)}</td>
              <td class="num">{percent(s.shareOfOracle, 1)}</td>
              <td class="num">{s.calibrationError === null ? '–' : percent(s.calibrationError, 1)}</td>
            </tr>
          ))}
        </tbody>
      </table></div>
      <h2>Cumulative expected revenue</h2>
      <ChartCanvas config={cumulative} label="Cumulative expected revenue of each strategy by day; the table above has the totals" />
      <h2>Daily regret</h2>
      <ChartCanvas config={regret} label="Each strategy's daily regret against the oracle" />
    </article>
  );
}
