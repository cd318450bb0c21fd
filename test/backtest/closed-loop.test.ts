import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { SPEC_SETTINGS } from '../../src/engine/test-settings.ts';
import { audienceWeights, pricedAudience, runBacktest, sharedCredit } from '../../src/backtest/closed-loop.ts';
import { NAMED_FAMILIES } from '../../src/simulation/families.ts';
import { backtestHtml } from '../../src/backtest/report-html.ts';
import { loadConfig } from '../../src/config.ts';

const options = { marketSeed: 7, days: 10, historyDays: 14, windowDays: 14, strategies: ['uniform', 'spec', 'bayes', 'oracle'] as const, settings: SPEC_SETTINGS, startDate: '2026-11-10' };

describe('runBacktest', () => {
  const report = runBacktest(options);
  const of = (s: string) => report.series.find((x) => x.strategy === s)!;

  it('explores with a seed per simulated day: reproducible, and a different decision from not exploring', () => {
    const exploring = { ...options, strategies: ['bayes'] as const, settings: { ...SPEC_SETTINGS, explorationShare: 0.2 } };
    const a = runBacktest(exploring);
    expect(JSON.stringify(runBacktest(exploring))).toBe(JSON.stringify(a));
    const greedy = of('bayes');
    expect(a.series[0]!.days.map((d) => d.expectedRevenueMinor)).not.toEqual(greedy.days.map((d) => d.expectedRevenueMinor));
  });

  it('is reproducible for a market seed', () => {
    expect(JSON.stringify(runBacktest(options))).toBe(JSON.stringify(report));
  });

  it('measures every strategy against the oracle, which no strategy beats', () => {
    expect(of('oracle').shareOfOracle).toBeCloseTo(1, 9);
    for (const s of report.series) {
      expect(s.days).toHaveLength(10);
      expect(s.shareOfOracle).toBeLessThanOrEqual(1 + 1e-9);
      for (const d of s.days) expect(d.regretMinor).toBeGreaterThanOrEqual(-1e-6);
    }
  });

  it('spends the whole daily budget every day and predicts ROAS only for the optimizer strategies', () => {
    for (const s of report.series) for (const d of s.days) expect(Math.abs(d.spendMinor - report.dailyBudgetMinor)).toBeLessThanOrEqual(1);
    expect(of('bayes').days.every((d) => d.predictedRoas !== null)).toBe(true);
    expect(of('uniform').calibrationError).toBeNull();
  });

  it('renders a self-contained HTML page with both charts', () => {
    const html = backtestHtml(report);
    expect(html).toContain('<svg');
    expect(html.match(/<polyline/g)).toHaveLength(8);
    // Each strategy in a colour of its own (the specification's was drawn in the fallback green under its old name).
    const colours = [...html.matchAll(/<polyline fill="none" stroke="(#[0-9a-f]{6})"[^>]*><title>([a-z]+)</g)].map((m) => `${m[2]} ${m[1]}`);
    expect(new Set(colours)).toEqual(new Set(['uniform #7f7f7f', 'spec #d62728', 'bayes #1f77b4', 'oracle #222222']));
    expect(html).not.toMatch(/<script|https?:\/\//);
  });

  it('weighs the chosen interests by size by default, and no strategy picks better interests than the oracle', () => {
    expect(report.audienceWeighting).toBe('delivery');
    expect(report.oracleAudienceMultiplier).toBeGreaterThan(1);
    // The oracle solves the size-weighted choice exactly, so every set a strategy picks is at most as good.
    for (const s of report.series.filter((x) => x.strategy !== 'uniform')) {
      for (const d of s.days) expect(d.audienceMultiplier).toBeLessThanOrEqual(report.oracleAudienceMultiplier + 1e-12);
    }
    expect(of('uniform').days.every((d) => d.audienceMultiplier === 1)).toBe(true);
    const alike = runBacktest({ ...options, strategies: ['spec', 'oracle'], audienceWeighting: 'equal' });
    expect(alike.audienceWeighting).toBe('equal');
    for (const d of alike.series[0]!.days) expect(d.audienceMultiplier).toBeLessThanOrEqual(alike.oracleAudienceMultiplier + 1e-12);
  });

  it('tilts delivery toward value under the optimized model, and credits what it delivers', () => {
    const sizes = new Map([['a', 100], ['b', 100], ['c', 400]]);
    const values = new Map([['a', 3], ['b', 1], ['c', 2]]);
    const tilted = audienceWeights('optimized', sizes, values);
    // Mean value 2: a gets 1.5× its size, b half, c its size; credit and delivery are one weight.
    expect(['a', 'b', 'c'].map(tilted.delivery)).toEqual([150, 50, 400]);
    expect(['a', 'b', 'c'].map(tilted.credit)).toEqual([150, 50, 400]);
    const bySize = audienceWeights('delivery', sizes, values);
    expect(['a', 'b', 'c'].map(bySize.credit)).toEqual([100, 100, 400]);
    const alike = audienceWeights('equal', sizes, values);
    expect(['a', 'b', 'c'].map(alike.delivery)).toEqual([100, 100, 400]);
    expect(['a', 'b', 'c'].map(alike.credit)).toEqual([1, 1, 1]);
    const optimized = runBacktest({ ...options, strategies: ['spec', 'bayes', 'oracle'], audienceWeighting: 'optimized' });
    expect(optimized.audienceWeighting).toBe('optimized');
    for (const x of optimized.series) for (const d of x.days) expect(d.audienceMultiplier).toBeLessThanOrEqual(optimized.oracleAudienceMultiplier + 1e-12);
    // A family whose Meta optimizes delivery is delivered so without being told; told, the loop follows the option.
    const family = { ...options, days: 2, strategies: ['oracle'] as const, family: NAMED_FAMILIES['optimized-delivery']! };
    expect(runBacktest(family).audienceWeighting).toBe('optimized');
    expect(runBacktest({ ...family, audienceWeighting: 'delivery' }).audienceWeighting).toBe('delivery');
  });

  it('gives the decisions the market\'s audience size estimates by default, and none when told they are unknown', () => {
    const sized = { ...options, days: 6, strategies: ['spec', 'bayes'] as const, settings: loadConfig({}).engine };
    const estimated = runBacktest(sized);
    const unknown = runBacktest({ ...sized, audienceSizes: 'unknown' });
    expect(estimated.audienceSizes).toBe('estimated');
    expect(unknown.audienceSizes).toBe('unknown');
    // The specification's strategy reads no size; bayes weighs its set by the sizes where every candidate has one.
    expect(JSON.stringify(estimated.series[0])).toBe(JSON.stringify(unknown.series[0]));
    expect(estimated.series[1]!.days.map((d) => d.audienceMultiplier)).not.toEqual(unknown.series[1]!.days.map((d) => d.audienceMultiplier));
  });

  it('credits the loop\'s delivery to the chosen interests in equal shares when told its rows are shared, as LIVE sync does', () => {
    const settings = { ...options, days: 8, strategies: ['uniform', 'spec', 'bayes', 'oracle'] as const, settings: loadConfig({}).engine };
    const breakdown = runBacktest(settings);
    const shared = runBacktest({ ...settings, interestRows: 'shared' });
    expect(breakdown.interestRows).toBe('breakdown');
    expect(shared.interestRows).toBe('shared');
    const of = (r: typeof shared, s: string) => r.series.find((x) => x.strategy === s)!;
    // Uniform and the oracle read no interest rows; the first day decides on the history alone.
    expect(JSON.stringify(of(shared, 'uniform'))).toBe(JSON.stringify(of(breakdown, 'uniform')));
    expect(JSON.stringify(of(shared, 'oracle'))).toBe(JSON.stringify(of(breakdown, 'oracle')));
    expect(of(shared, 'bayes').days[0]).toEqual(of(breakdown, 'bayes').days[0]);
    // Later days read blends instead of each interest's own figures, and choose other interests.
    expect(of(shared, 'bayes').days.map((d) => d.audienceMultiplier)).not.toEqual(of(breakdown, 'bayes').days.map((d) => d.audienceMultiplier));
  });

  it('shares a day\'s delivery in whole parts that differ by at most one and add up to what was delivered', () => {
    const rows = [
      { impressions: 9_000, clicks: 90, spendMinor: 12_345, conversions: 3, revenueMinor: 45_000 },
      { impressions: 1_000, clicks: 20, spendMinor: 1_500, conversions: 2, revenueMinor: 9_999 },
      { impressions: 0, clicks: 0, spendMinor: 0, conversions: 0, revenueMinor: 0 },
    ];
    const shares = sharedCredit(rows, '2026-11-11');
    for (const metric of ['impressions', 'clicks', 'spendMinor', 'conversions', 'revenueMinor'] as const) {
      const values = shares.map((r) => r[metric]);
      expect(values.reduce((a, b) => a + b, 0)).toBe(rows.reduce((a, r) => a + r[metric], 0));
      expect(Math.max(...values) - Math.min(...values)).toBeLessThanOrEqual(1);
      for (const v of values) expect(Number.isInteger(v)).toBe(true);
    }
  });

  it('rejects a loop length out of range', () => {
    expect(() => runBacktest({ ...options, days: 0 })).toThrow(RangeError);
  });
});

describe('the backtest command', () => {
  it('writes the JSON and HTML files and prints the comparison', async () => {
    const { runCli } = await import('../helpers/cli.ts');
    const { openTestDb } = await import('../helpers/db.ts');
    const db = await openTestDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'backtest-'));
    try {
      const prefix = path.join(dir, 'run');
      const result = await runCli(['backtest', '--days', '5', '--market-seed', '3', '--out', prefix], { db });
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/bayes vs spec: [+-]\d+\.\d % expected revenue over 5 days/);
      const json = JSON.parse(readFileSync(`${prefix}.json`, 'utf8')) as { series: { strategy: string }[] };
      expect(json.series.map((s) => s.strategy).sort()).toEqual(['bayes', 'oracle', 'spec', 'uniform']);
      expect(readFileSync(`${prefix}.html`, 'utf8')).toContain('<svg');
      const bad = await runCli(['backtest', '--strategy', 'magic'], { db });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--strategy: must be one of spec, bayes \(seed is accepted for spec\)/);
      // The former name of spec still works, and the series carries the new one.
      const former = await runCli(['backtest', '--days', '2', '--market-seed', '3', '--baseline', 'seed', '--json', '--out', prefix], { db });
      expect(former.code).toBe(0);
      expect((JSON.parse(former.stdout) as { series: { strategy: string }[] }).series.map((s) => s.strategy).sort()).toEqual(['bayes', 'oracle', 'spec', 'uniform']);
      const badWeighting = await runCli(['backtest', '--audience-weighting', 'size'], { db });
      expect(badWeighting.code).toBe(2);
      expect(badWeighting.stderr).toMatch(/--audience-weighting: must be one of delivery, optimized, equal, got "size"/);
      const alike = await runCli(['backtest', '--days', '3', '--market-seed', '3', '--audience-weighting', 'equal', '--out', prefix], { db });
      expect(alike.code).toBe(0);
      expect(alike.stdout).toMatch(/chosen interests credited alike/);
      const tilted = await runCli(['backtest', '--days', '3', '--market-seed', '3', '--audience-weighting', 'optimized', '--out', prefix], { db });
      expect(tilted.code).toBe(0);
      expect(tilted.stdout).toMatch(/delivery to the chosen interests by size tilted toward value/);
      const badSizes = await runCli(['backtest', '--audience-sizes', 'exact'], { db });
      expect(badSizes.code).toBe(2);
      expect(badSizes.stderr).toMatch(/--audience-sizes: must be one of estimated, unknown, got "exact"/);
      const unsized = await runCli(['backtest', '--days', '2', '--market-seed', '3', '--audience-sizes', 'unknown', '--out', prefix], { db });
      expect(unsized.code).toBe(0);
      expect(unsized.stdout).toMatch(/no audience sizes/);
      expect(result.stdout).toMatch(/audience sizes from the market's Meta-like estimates/);
      expect(result.stdout).toMatch(/the loop's interest rows a per-interest breakdown/);
      const badRows = await runCli(['backtest', '--interest-rows', 'blended'], { db });
      expect(badRows.code).toBe(2);
      expect(badRows.stderr).toMatch(/--interest-rows: must be one of breakdown, shared, got "blended"/);
      const sharedRows = await runCli(['backtest', '--days', '2', '--market-seed', '3', '--interest-rows', 'shared', '--out', prefix], { db });
      expect(sharedRows.code).toBe(0);
      expect(sharedRows.stdout).toMatch(/the loop's interest rows credited in equal shares as LIVE sync credits them/);
      const badFamily = await runCli(['backtest', '--family', 'cheap'], { db });
      expect(badFamily.code).toBe(2);
      expect(badFamily.stderr).toMatch(/--family must be one of stub, conversion-saturation/);
      const family = await runCli(['backtest', '--days', '2', '--market-seed', '3', '--family', 'conversion-saturation', '--out', prefix], { db });
      expect(family.code).toBe(0);
      expect(family.stdout).toMatch(/\(family conversion-saturation\)/);
      const nowhere = await runCli(['backtest', '--days', '2', '--out', path.join(dir, 'missing', 'run')], { db });
      expect(nowhere.code).toBe(2);
      expect(nowhere.stderr).toMatch(/--out: the folder ".*missing" does not exist/);
      expect(existsSync(path.join(dir, 'missing'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.close();
    }
  });
});

describe('the backtest command\'s market seed', () => {
  it('keeps a seed a number cannot hold as typed: two such seeds are two markets, and a very long one no failure', async () => {
    const { runCli } = await import('../helpers/cli.ts');
    const { openTestDb } = await import('../helpers/db.ts');
    const db = await openTestDb();
    const dir = mkdtempSync(path.join(tmpdir(), 'backtest-seed-'));
    try {
      const run = (seed: string) => runCli(['backtest', '--days', '1', '--history-days', '3', '--strategy', 'spec', '--market-seed', seed, '--out', path.join(dir, 'run'), '--json'], { db });
      // Both are 12345678901234567000 as doubles.
      const [a, b] = await Promise.all([run('12345678901234567891'), run('12345678901234567890')]);
      expect(a.code).toBe(0);
      const [ra, rb] = [JSON.parse(a.stdout), JSON.parse(b.stdout)] as { marketSeed: unknown; campaignId: string }[];
      expect(ra!.marketSeed).toBe('12345678901234567891');
      expect(rb!.marketSeed).toBe('12345678901234567890');
      expect(ra!.campaignId).not.toBe(rb!.campaignId);
      const long = await run('9'.repeat(400));
      expect(long.stderr).toBe('');
      expect(long.code).toBe(0);
      // A seed a double holds is still a number.
      expect((JSON.parse((await run('42')).stdout) as { marketSeed: unknown }).marketSeed).toBe(42);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.close();
    }
  });
});

describe('runBacktest on other market families', () => {
  it.each(['conversion-saturation', 'adset-per-segment', 'sharp-saturation', 'sharp-conversion-saturation', 'slow-saturation', 'heavy-tailed-orders'])('%s: names the family and no strategy beats the oracle', async (name) => {
    const { parseFamily } = await import('../../src/simulation/families.ts');
    const report = runBacktest({ ...options, days: 5, strategies: ['uniform', 'spec', 'oracle'], family: parseFamily(name) });
    expect(report.family).toBe(name);
    for (const s of report.series) for (const d of s.days) expect(d.regretMinor).toBeGreaterThanOrEqual(-1e-6);
    expect(report.series.find((s) => s.strategy === 'oracle')!.shareOfOracle).toBeCloseTo(1, 9);
  });

  it('lagged-conversions: the same market, each day read with its latest days\' results still arriving', () => {
    const run = (name: string) => runBacktest({ ...options, days: 3, strategies: ['uniform', 'spec', 'oracle'], family: NAMED_FAMILIES[name]! });
    const [lagged, complete] = [run('lagged-conversions'), run('stub')];
    const of = (r: typeof lagged, s: string) => r.series.find((x) => x.strategy === s)!;
    // What is delivered does not depend on when it is read.
    for (const s of ['uniform', 'oracle']) expect(of(lagged, s).days).toEqual(of(complete, s).days);
    // The specification's expected ROAS reads the window's reported revenue: lower while the latest days are incomplete.
    const predicted = (r: typeof lagged) => of(r, 'spec').days[0]!.predictedRoas!;
    expect(predicted(lagged)).toBeLessThan(predicted(complete));
    expect(predicted(lagged)).toBeGreaterThan(0.8 * predicted(complete));
  });
});

describe('learning resets in the loop', () => {
  const run = (name: string, strategies: readonly ('uniform' | 'spec' | 'oracle')[]) => runBacktest({ ...options, days: 6, strategies, family: NAMED_FAMILIES[name]! });
  const of = (r: ReturnType<typeof run>, s: string) => r.series.find((x) => x.strategy === s)!;

  it('costs nothing to a strategy that never edits the targeting, and the oracle only its first day\'s edit', () => {
    const [learning, free] = [run('learning-resets', ['uniform', 'oracle']), run('stub', ['uniform', 'oracle'])];
    expect(of(learning, 'uniform').days).toEqual(of(free, 'uniform').days);
    // The oracle's first day replaces the history's targeting: it learns, then converts as in the free market.
    const [first, later] = [of(learning, 'oracle').days[0]!, of(learning, 'oracle').days.at(-1)!];
    expect(first.audienceMultiplier).toBeCloseTo(of(free, 'oracle').days[0]!.audienceMultiplier * 0.8, 9);
    expect(later.audienceMultiplier).toBeCloseTo(of(free, 'oracle').days.at(-1)!.audienceMultiplier, 9);
    expect(of(learning, 'oracle').shareOfOracle).toBeLessThan(1);
  });

  it('applied one ad set per country, costs even a strategy that never edits the interests, each ad set learning on its own conversions', () => {
    const [perCountry, campaign, free] = [run('country-adset-learning', ['uniform', 'oracle']), run('learning-resets', ['uniform', 'oracle']), run('stub', ['uniform', 'oracle'])];
    // Uniform's split gives most countries their own ad set on day one: copies, all learning.
    const [first, last] = [of(perCountry, 'uniform').days[0]!, of(perCountry, 'uniform').days.at(-1)!];
    expect(first.audienceMultiplier).toBeCloseTo(of(free, 'uniform').days[0]!.audienceMultiplier * 0.8, 9);
    expect(first.expectedRevenueMinor).toBeCloseTo(of(free, 'uniform').days[0]!.expectedRevenueMinor * 0.8, 3);
    expect(last.audienceMultiplier).toBeGreaterThan(first.audienceMultiplier);
    // The oracle's one edit is learnt from each ad set's own conversions: slower than the campaign's together.
    expect(of(perCountry, 'oracle').cumulativeExpectedRevenueMinor).toBeLessThan(of(campaign, 'oracle').cumulativeExpectedRevenueMinor);
    for (const s of perCountry.series) for (const d of s.days) expect(d.regretMinor).toBeGreaterThanOrEqual(-1e-6);
    // The report counts the restarts: the first split's new ad sets at least; one ad set counts none.
    for (const s of perCountry.series) expect(s.adSetRestarts!.countryMoves + s.adSetRestarts!.interestEdits).toBeGreaterThan(1);
    for (const s of campaign.series) expect(s.adSetRestarts).toBeNull();
  });

  it('costs a strategy that changes its interests every day more than it costs the oracle', () => {
    const [learning, free] = [run('learning-resets', ['spec', 'oracle']), run('stub', ['spec', 'oracle'])];
    const loss = (s: string) => 1 - of(learning, s).cumulativeExpectedRevenueMinor / of(free, s).cumulativeExpectedRevenueMinor;
    expect(loss('spec')).toBeGreaterThan(loss('oracle'));
  });
});

describe('paid prices in the loop', () => {
  it('credit a union with its weighted value per impression over its weighted cost per impression', () => {
    const values = new Map([['a', 4], ['b', 2]]);
    const priced = pricedAudience(values, (id) => (id === 'a' ? 3 : 1), (id) => (id === 'a' ? 2 : 0.5));
    const w = (id: string) => priced.weightOf(id);
    const credited = (w('a') * priced.values.get('a')! + w('b') * priced.values.get('b')!) / (w('a') + w('b'));
    // (3·4 + 1·2) / (3·2 + 1·0.5): revenue over spend of the union.
    expect(credited).toBeCloseTo(14 / 6.5, 12);
    expect(pricedAudience(values, w, null).values).toBe(values);
  });

  it('keep the oracle\'s interests the best any strategy picks, and another set than with prices ignored', () => {
    const paid = runBacktest({ ...options, days: 4, strategies: ['spec', 'bayes', 'oracle'], family: NAMED_FAMILIES['paid-audiences']! });
    expect(paid.family).toBe('paid-audiences');
    for (const s of paid.series) for (const d of s.days) expect(d.audienceMultiplier).toBeLessThanOrEqual(paid.oracleAudienceMultiplier + 1e-12);
    const ignored = runBacktest({ ...options, days: 4, strategies: ['oracle'] });
    // The same market with prices that matter has another best set.
    expect(paid.oracleAudienceMultiplier).not.toBeCloseTo(ignored.oracleAudienceMultiplier, 6);
  });
});
