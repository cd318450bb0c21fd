// The geo split and the expected revenue per country, each as a chart and the same numbers as a table.
import type { ChartConfiguration } from 'chart.js';
import { useMemo } from 'preact/hooks';
import type { Comparison, Recommendation } from '../api-types.ts';
import { ChartCanvas, COLORS } from '../components/chart.tsx';
import { fromMinor, money, percent } from '../format.ts';

export const SPAIN_FLOOR_SHARE = 0.35;

export interface CountryRevenue {
  country: string;
  expected: number;
  low: number;
  high: number;
}

/** Each country's expected revenue and its 90 % interval, from the geo step's trace. */
export function expectedRevenueByCountry(rec: Recommendation): CountryRevenue[] {
  const currency = rec.reasoning.currency;
  return rec.reasoning.trace
    .filter((t) => t.step === 'geo.response' && typeof t.numbers.expected_value === 'number')
    .map((t) => ({
      country: String(t.numbers.country),
      expected: fromMinor(Number(t.numbers.expected_value), currency),
      low: fromMinor(Number(t.numbers.expected_value_90_low ?? t.numbers.expected_value), currency),
      high: fromMinor(Number(t.numbers.expected_value_90_high ?? t.numbers.expected_value), currency),
    }));
}

/** Spain's floor in the currency: the trace's figure, or 35 % of the budget when the trace has none. */
export function spainFloor(rec: Recommendation): number | null {
  if (!rec.countries.includes('ES')) return null;
  const event = rec.reasoning.trace.find((t) => t.step === 'geo.spain_floor');
  const minor = event?.numbers.spain_floor_minor;
  return typeof minor === 'number' ? fromMinor(minor, rec.reasoning.currency) : rec.total_budget * SPAIN_FLOOR_SHARE;
}

/** The chart's countries, largest amount first so it reads as a ranking; those only the previous run funded last. */
export function chartCountries(now: readonly { country_code: string; budget_amount: number }[], previous: readonly string[]): string[] {
  const amount = new Map(now.map((g) => [g.country_code, g.budget_amount]));
  const amountOf = (c: string) => amount.get(c) ?? -1;
  return [...new Set([...amount.keys(), ...previous])].sort((a, b) => amountOf(b) - amountOf(a) || a.localeCompare(b));
}

export function GeoSplit({ rec, comparison }: { rec: Recommendation; comparison: Comparison | null }) {
  const currency = rec.reasoning.currency;
  const previous = new Map((comparison?.previous?.geo_allocations ?? []).map((g) => [g.country_code, g]));
  const now = new Map(rec.geo_allocations.map((g) => [g.country_code, g]));
  const countries = chartCountries(rec.geo_allocations, [...previous.keys()]);
  const floor = spainFloor(rec);
  const config = useMemo<ChartConfiguration>(
    () => ({
      type: 'bar',
      data: {
        labels: countries,
        datasets: [
          { type: 'bar', label: 'This run', data: countries.map((c) => now.get(c)?.budget_amount ?? 0), backgroundColor: COLORS.blue },
          ...(previous.size > 0 ? [{ type: 'bar' as const, label: 'Previous run (grey, outlined)', data: countries.map((c) => previous.get(c)?.budget_amount ?? 0), backgroundColor: COLORS.grey, borderColor: '#111827', borderWidth: 1 }] : []),
          ...(floor !== null ? [{ type: 'line' as const, label: `Spain's floor (${percent(SPAIN_FLOOR_SHARE, 0)} of the budget, dashed)`, data: countries.map(() => floor), borderColor: COLORS.red, borderDash: [6, 4], borderWidth: 2, pointRadius: 0 }] : []),
        ],
      },
      options: {
        plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${money(Number(item.raw), currency)}` } } },
        scales: { y: { beginAtZero: true, title: { display: true, text: `Daily budget (${currency})` }, ticks: { callback: (v) => money(Number(v), currency) } } },
      },
    }),
    [rec, comparison],
  );
  return (
    <figure>
      <ChartCanvas config={config} label={`Daily budget per country for this run${previous.size > 0 ? ' and the previous run' : ''}, with Spain's floor; the table below has the numbers`} />
      <figcaption>
        Budget per country{previous.size > 0 ? ', beside the previous run\'s' : ' (no previous run for this ad set)'}; the dashed line is Spain's floor{floor !== null ? ` of ${money(floor, currency)}` : ''}.
      </figcaption>
      <div class="table-wrap"><table class="compact">
        <caption>Geo split</caption>
        <thead>
          <tr>
            <th scope="col">Country</th>
            <th scope="col" class="num">Budget</th>
            <th scope="col" class="num">Share</th>
            <th scope="col" class="num">Previous</th>
            <th scope="col" class="num">ROAS (window)</th>
          </tr>
        </thead>
        <tbody>
          {countries.map((c) => (
            <tr key={c}>
              <th scope="row">
                {now.get(c)?.country_name ?? c} ({c}){c === 'ES' && floor !== null ? ' · floor applies' : ''}
              </th>
              <td class="num">{money(now.get(c)?.budget_amount ?? 0, currency)}</td>
              <td class="num">{percent((now.get(c)?.budget_pct ?? 0) / 100, 1)}</td>
              <td class="num">{previous.has(c) ? money(previous.get(c)!.budget_amount, currency) : '–'}</td>
              <td class="num">{now.get(c)?.avg_roas?.toFixed(2) ?? '–'}</td>
            </tr>
          ))}
        </tbody>
      </table></div>
    </figure>
  );
}

export function ExpectedRevenue({ rec }: { rec: Recommendation }) {
  const currency = rec.reasoning.currency;
  const rows = expectedRevenueByCountry(rec);
  const config = useMemo<ChartConfiguration>(
    () => ({
      type: 'bar',
      data: {
        labels: rows.map((r) => r.country),
        datasets: [
          { type: 'bar', label: '90 % interval (bar from low to high)', data: rows.map((r) => [r.low, r.high]) as unknown as number[], backgroundColor: 'rgba(29, 78, 216, 0.25)', borderColor: COLORS.blue, borderWidth: 1 },
          { type: 'line', label: 'Expected (diamond)', data: rows.map((r) => r.expected), showLine: false, pointStyle: 'rectRot', pointRadius: 6, borderColor: '#111827', backgroundColor: '#111827' },
        ],
      },
      options: {
        plugins: { legend: { position: 'bottom' } },
        scales: { y: { beginAtZero: true, title: { display: true, text: `Expected daily revenue (${currency})` }, ticks: { callback: (v) => money(Number(v), currency) } } },
      },
    }),
    [rec],
  );
  if (rows.length === 0) return <p class="state empty">This run's trace has no per-country revenue model (the strategy did not fit one).</p>;
  return (
    <figure>
      <ChartCanvas config={config} label="Expected daily revenue per country with its 90 % interval; the table below has the numbers" />
      <div class="table-wrap"><table class="compact">
        <caption>Expected daily revenue per country</caption>
        <thead>
          <tr>
            <th scope="col">Country</th>
            <th scope="col" class="num">Expected</th>
            <th scope="col" class="num">90 % interval</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.country}>
              <th scope="row">{r.country}</th>
              <td class="num">{money(r.expected, currency)}</td>
              <td class="num">
                {money(r.low, currency)} – {money(r.high, currency)}
              </td>
            </tr>
          ))}
        </tbody>
      </table></div>
    </figure>
  );
}
