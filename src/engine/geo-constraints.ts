// The limits an advertiser puts on the `bayes` budget split besides Spain's floor: a minimum and
// maximum share per country, a minimum daily budget per country (Meta refuses smaller ones), and a
// maximum change per run against the campaign's previous split, so that delivery is not thrown
// off by large day-to-day swings. The split stays the water-filling optimum (equal marginal
// returns, KKT) inside per-country boxes built from these limits.
//
// Priority, highest first: Spain's floor (never relaxed), the share limits, the trust region (a
// ceiling per country from its own history, src/engine/geo-value.ts), the minimum budget, the
// change limit. A limit is kept as far as it can be met together with every limit above it:
// where one country's bounds contradict, the lower-priority bound gives way for that country;
// where the boxes cannot sum to the budget, the change limit is widened first (to the smallest
// whole percentage found that fits, up to switched off), then the minimum budget is dropped, then
// the trust region, then the share limits. Every relaxation is written to the trace.
import { marginalValue, waterFill, type Market } from './response-curve.ts';
import type { MinBudgetEvent, RelaxedEvent, SplitLayers, SplitLimitsEvent } from './trace-events.ts';

export interface ShareLimit {
  /** Percent of the ad set's daily budget. */
  minPct: number;
  maxPct: number;
}

export interface PreviousSplit {
  totalBudgetMinor: number;
  allocations: readonly { countryCode: string; amountMinor: number }[];
  /** previous_run: the campaign's previous recommendation; history: a first run's spend by country over the window. */
  from?: 'previous_run' | 'history';
}

export interface CountryLimits {
  /** Share limits by country code; countries without one are limited only by the budget. */
  shares: Readonly<Record<string, ShareLimit>>;
  /** A country gets nothing or at least this much; 0 = no minimum. */
  minBudgetMinor: number;
  /**
   * The change-per-run limit in percent (0..100) against the ad set's split in the campaign's
   * previous run (or, on a first run, the history's split). 100 switches it off, as does no previous split.
   */
  maxChangePct: number;
  previous: PreviousSplit | null;
  /** Round the change window inward (whole minor units within the percentage); absent: outward, as before. */
  changeWindowInward?: boolean;
  /**
   * Hold the change limit first against a previous run's amounts as applied (not against history),
   * falling back to the rescaled split where the limits cannot fit around them; absent: rescaled only.
   */
  asApplied?: boolean;
  /**
   * The trust region: the most each listed country may get, and what set it. Absent = none (the
   * split of engine version 5). The caller makes the ceilings absorb the budget with Spain's floor.
   */
  trust?: Readonly<Record<string, TrustCeiling>>;
}

export interface TrustCeiling {
  maxMinor: number;
  /** trust_history: a multiple of the country's highest daily spend; trust_new: never funded, the new-country share; trust_rest: raised by the part of the budget the ceilings could not hold. */
  by: 'trust_history' | 'trust_new' | 'trust_rest';
}

export const NO_COUNTRY_LIMITS: CountryLimits = { shares: {}, minBudgetMinor: 0, maxChangePct: 100, previous: null };

/** What set a bound: the rule to name when the amount sits on it. */
export type BoundRule = 'budget' | 'zero' | 'spain_floor' | 'share_min' | 'share_max' | 'min_budget' | 'change_down' | 'change_up' | TrustCeiling['by'];

export interface CountryBounds {
  lowerMinor: number;
  upperMinor: number;
  lowerBy: BoundRule;
  upperBy: BoundRule;
  /** The bound the amount sits on, or null when the country is at the water level (or at 0 by choice). */
  binding: BoundRule | null;
  marginalReturn: number;
}

export interface LimitedSplit {
  /** Integer minor units, in the markets' order, summing exactly to the total. */
  amounts: number[];
  bounds: CountryBounds[];
  trace: (SplitLimitsEvent | RelaxedEvent | MinBudgetEvent)[];
}

interface Box {
  lower: number;
  upper: number;
  lowerBy: BoundRule;
  upperBy: BoundRule;
  /** Nothing or at least the minimum budget: decided after water-filling (see dropBelowMinimum). */
  semi: boolean;
}

type Layers = SplitLayers;

interface Solution {
  spends: number[];
  boxes: Box[];
  events: (RelaxedEvent | MinBudgetEvent)[];
}

/** Continuous spends this close to a bound count as on it. */
const EPS = 1e-6;

/**
 * Splits `totalMinor` across `markets` (their own min/max are ignored) under Spain's floor and the
 * limits, maximising the summed value of the response curves. Never throws for contradictory
 * limits: they are relaxed in the order above and the trace says which and why.
 */
export function splitUnderLimits(markets: readonly Market[], totalMinor: number, spainFloorMinor: number, limits: CountryLimits): LimitedSplit {
  const codes = new Set(markets.map((m) => m.code));
  const hasShares = Object.keys(limits.shares).some((c) => codes.has(c));
  const hasMinimum = limits.minBudgetMinor > 0;
  const hasTrust = limits.trust !== undefined && Object.keys(limits.trust).some((c) => codes.has(c));
  const previous = rescaledPrevious(markets, totalMinor, limits);
  const changePct = previous !== null && limits.maxChangePct < 100 ? limits.maxChangePct : null;
  const solve = (layers: Layers) => solveLayers(markets, totalMinor, spainFloorMinor, limits, previous, layers);

  // The apply guardrail measures each ad set's change against the budget it holds, which is the
  // previous run's amount as applied: where every limit fits around those, they bound the split.
  const applied = limits.asApplied === true && limits.previous?.from !== 'history' ? previousAsApplied(markets, limits) : null;
  if (applied !== null && previous !== null && changePct !== null && ![...previous].every(([c, p]) => Math.abs(p - (applied.get(c) ?? 0)) < 1e-9)) {
    const layers: Layers = { shares: hasShares, trust: hasTrust, minBudget: hasMinimum, changePct };
    const found = solveLayers(markets, totalMinor, spainFloorMinor, limits, applied, layers);
    // The limit fits around them: no country's window gave way to a higher-priority limit.
    if (found !== null && found.events.every((e) => !(e.kind === 'geo.relaxed' && e.what === 'change_window'))) return finish(markets, totalMinor, spainFloorMinor, limits, applied, layers, layers, found, 'as_applied');
  }

  // Higher-priority layers vary slowest: the trust region is dropped before the share limits.
  const outer: [boolean, boolean][] = [];
  for (const shares of hasShares ? [true, false] : [false]) for (const trust of hasTrust ? [true, false] : [false]) outer.push([shares, trust]);
  for (const [shares, trust] of outer) {
    for (const minBudget of hasMinimum ? [true, false] : [false]) {
      let layers: Layers = { shares, trust, minBudget, changePct };
      let found = solve(layers);
      if (found === null && changePct !== null) {
        // Widen the change limit by bisection over whole percentages; 100 is switched off.
        const off = solve({ ...layers, changePct: null });
        if (off !== null) {
          let infeasible = changePct;
          let feasible = 100;
          let best = off;
          while (feasible - infeasible > 1) {
            const mid = Math.floor((infeasible + feasible) / 2);
            const attempt = solve({ ...layers, changePct: mid });
            if (attempt === null) infeasible = mid;
            else {
              feasible = mid;
              best = attempt;
            }
          }
          layers = { ...layers, changePct: feasible === 100 ? null : feasible };
          found = best;
        }
      }
      if (found !== null) return finish(markets, totalMinor, spainFloorMinor, limits, previous, { shares: hasShares, trust: hasTrust, minBudget: hasMinimum, changePct }, layers, found, 'rescaled');
    }
  }
  // Unreachable: Spain's floor alone always fits (it is at most the whole budget).
  throw new Error('no split satisfies Spain\'s floor alone');
}

/** The previous split's funded countries among those offered now (none without a previous split). */
function keptPrevious(markets: readonly Market[], limits: CountryLimits): { countryCode: string; amountMinor: number }[] {
  if (limits.previous === null) return [];
  const offered = new Set(markets.map((m) => m.code));
  return limits.previous.allocations.filter((a) => offered.has(a.countryCode) && a.amountMinor > 0);
}

/** The previous split's amounts as applied, over the countries offered now. Null when there is nothing to compare with. */
function previousAsApplied(markets: readonly Market[], limits: CountryLimits): Map<string, number> | null {
  const kept = keptPrevious(markets, limits);
  return kept.length === 0 ? null : new Map(kept.map((a) => [a.countryCode, a.amountMinor]));
}

/**
 * The previous split rescaled to this run's total over the countries offered now, so that a
 * budget change, or a country no longer in the history, does not make the limit infeasible by
 * itself. Null when there is nothing to compare with.
 */
function rescaledPrevious(markets: readonly Market[], totalMinor: number, limits: CountryLimits): Map<string, number> | null {
  const kept = keptPrevious(markets, limits);
  const keptTotal = kept.reduce((s, a) => s + a.amountMinor, 0);
  if (keptTotal <= 0) return null;
  return new Map(kept.map((a) => [a.countryCode, (a.amountMinor * totalMinor) / keptTotal]));
}

function solveLayers(markets: readonly Market[], totalMinor: number, spainFloorMinor: number, limits: CountryLimits, previous: Map<string, number> | null, layers: Layers): Solution | null {
  const events: Solution['events'] = [];
  const m = limits.minBudgetMinor;
  const boxes: Box[] = markets.map((mk) => ({
    lower: mk.code === 'ES' ? spainFloorMinor : 0,
    upper: totalMinor,
    lowerBy: mk.code === 'ES' && spainFloorMinor > 0 ? 'spain_floor' : 'zero',
    upperBy: 'budget',
    semi: false,
  }));

  if (layers.shares) {
    for (const [i, mk] of markets.entries()) {
      const limit = limits.shares[mk.code];
      if (limit === undefined) continue;
      const box = boxes[i]!;
      // Rounded outward to whole minor units: a limit that fits in percent still fits in cents.
      const lo = Math.floor((totalMinor * limit.minPct) / 100 + 1e-9);
      const hi = Math.ceil((totalMinor * limit.maxPct) / 100 - 1e-9);
      if (lo > box.lower) setLower(box, lo, 'share_min');
      if (hi < box.lower) events.push({ kind: 'geo.relaxed', what: 'share_max_under_floor', countryCode: mk.code, maxMinor: hi, floorMinor: box.lower });
      else if (hi < box.upper) setUpper(box, hi, 'share_max');
    }
  }

  if (layers.trust && limits.trust !== undefined) {
    for (const [i, mk] of markets.entries()) {
      const ceiling = limits.trust[mk.code];
      if (ceiling === undefined) continue;
      const box = boxes[i]!;
      const hi = Math.floor(ceiling.maxMinor + 1e-9);
      if (hi < box.lower) {
        events.push({ kind: 'geo.relaxed', what: 'trust_under_lower', countryCode: mk.code, by: ceiling.by, ceilingMinor: hi, lowerMinor: box.lower, lowerBy: box.lowerBy });
        setUpper(box, box.lower, ceiling.by);
      } else if (hi < box.upper) setUpper(box, hi, ceiling.by);
    }
  }

  if (layers.minBudget && m > 0) {
    for (const [i, mk] of markets.entries()) {
      const box = boxes[i]!;
      if (box.upper < m) {
        if (box.lower > 0) events.push({ kind: 'geo.relaxed', what: 'min_budget_box', countryCode: mk.code, lowerMinor: box.lower, upperMinor: box.upper, lowerBy: box.lowerBy, upperBy: box.upperBy, minBudgetMinor: m });
        else setUpper(box, 0, 'min_budget');
      } else if (box.lower > 0) {
        if (box.lower < m) setLower(box, m, 'min_budget');
      } else {
        box.semi = true;
      }
    }
  }

  if (layers.changePct !== null && previous !== null) {
    const c = layers.changePct / 100;
    for (const [i, mk] of markets.entries()) {
      const box = boxes[i]!;
      const p = previous.get(mk.code) ?? 0;
      // A country the previous split did not fund may enter with up to the change percentage of the total.
      // Inward, the amounts stay within the percentage to the minor unit, as the apply guardrail
      // measures them; outward (settings stored before), a limit that fits in percent fits in cents.
      const inward = limits.changeWindowInward === true;
      const lowExact = p * (1 - c);
      const highExact = p > 0 ? p * (1 + c) : totalMinor * c;
      const wl = p > 0 ? (inward ? Math.ceil(lowExact - 1e-9) : Math.floor(lowExact + 1e-9)) : 0;
      const wu = inward ? Math.floor(highExact + 1e-9) : Math.ceil(highExact - 1e-9);
      const misses = (lower: number, upper: number) => events.push({ kind: 'geo.relaxed', what: 'change_window', countryCode: mk.code, windowLowMinor: wl, windowHighMinor: wu, lowerMinor: lower, upperMinor: upper });
      if (box.semi) {
        if (wl === 0) {
          if (wu < m) setUpper(box, 0, 'min_budget');
          else if (wu < box.upper) setUpper(box, wu, 'change_up');
        } else if (Math.max(wl, m) > Math.min(box.upper, wu)) {
          misses(m, box.upper);
        } else {
          if (wl >= m) setLower(box, wl, 'change_down');
          else setLower(box, m, 'min_budget');
          if (wu < box.upper) setUpper(box, wu, 'change_up');
        }
      } else if (Math.max(box.lower, wl) > Math.min(box.upper, wu)) {
        misses(box.lower, box.upper);
      } else {
        if (wl > box.lower) setLower(box, wl, 'change_down');
        if (wu < box.upper) setUpper(box, wu, 'change_up');
      }
    }
  }

  if (sum(boxes, 'lower') > totalMinor || sum(boxes, 'upper') < totalMinor) return null;
  const spends = dropBelowMinimum(markets, totalMinor, boxes, m, events);
  return spends === null ? null : { spends, boxes, events };
}

/**
 * The minimum budget makes each country's set "0 or at least the minimum", which is not convex, so
 * KKT alone does not solve it. Heuristic: water-fill with those countries free down to 0, then take
 * the country furthest below the minimum (ties: the lower marginal return) and drop it to 0 — or,
 * when the others cannot absorb its budget, hold it at the minimum — and water-fill again, until no
 * amount lies strictly between 0 and the minimum. Spain is never dropped: its floor keeps it above
 * 0, and with a floor of 0 it is raised instead. At most one re-solve per country. Limits: the
 * result is optimal for the set of funded countries it ends with, but that set is chosen greedily,
 * so with several countries short of the minimum it can miss a better subset (finding the best is a
 * combinatorial search over subsets, not worth it for a daily split that is re-decided every run).
 */
function dropBelowMinimum(markets: readonly Market[], totalMinor: number, boxes: Box[], m: number, events: Solution['events']): number[] | null {
  for (;;) {
    const spends = fill(markets, boxes, totalMinor);
    let pick = -1;
    for (const [i, box] of boxes.entries()) {
      const s = spends[i]!;
      if (!box.semi || s <= EPS || s >= m - EPS) continue;
      const best = pick < 0 ? null : spends[pick]!;
      const shortfall = m - s;
      if (best === null || shortfall > m - best + EPS || (Math.abs(shortfall - (m - best)) <= EPS && marginalAt(markets[i]!, s) < marginalAt(markets[pick]!, best))) pick = i;
    }
    if (pick < 0) return spends;
    const box = boxes[pick]!;
    const code = markets[pick]!.code;
    const amount = Math.round(spends[pick]!);
    const short = { kind: 'geo.min_budget', countryCode: code, amountMinor: amount, minBudgetMinor: m } as const;
    if (code !== 'ES' && sum(boxes, 'upper') - box.upper >= totalMinor) {
      setUpper(box, 0, 'min_budget');
      events.push({ ...short, action: 'dropped' });
    } else if (sum(boxes, 'lower') + m <= totalMinor) {
      setLower(box, m, 'min_budget');
      events.push({ ...short, action: 'raised' });
    } else {
      return null;
    }
  }
}

function finish(markets: readonly Market[], totalMinor: number, spainFloorMinor: number, limits: CountryLimits, previous: Map<string, number> | null, wanted: Layers, used: Layers, found: Solution, against: 'as_applied' | 'rescaled'): LimitedSplit {
  const { spends, boxes } = found;
  const m = limits.minBudgetMinor;
  // A country left free between 0 and the minimum ended at one side of the gap: round within that side.
  const lows = boxes.map((b, i) => (b.semi && spends[i]! > EPS ? m : b.lower));
  const highs = boxes.map((b, i) => (b.semi && spends[i]! <= EPS ? 0 : b.upper));
  const amounts = roundWithin(spends, lows, highs, totalMinor);
  const bounds = markets.map((mk, i): CountryBounds => {
    const box = boxes[i]!;
    const amount = amounts[i]!;
    const lowerMinor = box.semi && amount > 0 ? m : box.lower;
    const lowerBy = box.semi && amount > 0 ? 'min_budget' : box.lowerBy;
    let binding: BoundRule | null = null;
    if (amount === box.upper && box.upperBy !== 'budget') binding = box.upperBy;
    else if (amount === lowerMinor && lowerMinor > 0) binding = lowerBy;
    return { lowerMinor, upperMinor: box.upper, lowerBy, upperBy: box.upperBy, binding, marginalReturn: marginalAt(mk, amount) };
  });

  const trace: LimitedSplit['trace'] = [{
    kind: 'geo.limits',
    spainFloorMinor,
    shareLimits: Object.entries(limits.shares).map(([countryCode, l]) => ({ countryCode, minPct: l.minPct, maxPct: l.maxPct })),
    trustAsked: limits.trust !== undefined,
    wanted: { ...wanted },
    used: { ...used },
    minBudgetMinor: m,
    maxChangePct: limits.maxChangePct,
    previousTotalMinor: limits.previous?.totalBudgetMinor ?? null,
    previous: limits.previous === null ? 'none' : previous === null ? 'not_offered' : against,
    ...(limits.previous?.from === 'history' ? { previousFrom: 'history' as const } : {}),
  }];
  if (wanted.changePct !== null && used.changePct !== wanted.changePct) trace.push({ kind: 'geo.relaxed', what: 'change_limit', totalMinor, wantedPct: wanted.changePct, usedPct: used.changePct, ...(limits.previous?.from === 'history' ? { previousFrom: 'history' as const } : {}) });
  if (wanted.minBudget && !used.minBudget) trace.push({ kind: 'geo.relaxed', what: 'min_budget', minBudgetMinor: m });
  if (wanted.trust && !used.trust) trace.push({ kind: 'geo.relaxed', what: 'trust', totalMinor });
  if (wanted.shares && !used.shares) trace.push({ kind: 'geo.relaxed', what: 'shares', totalMinor });
  trace.push(...found.events);
  return { amounts, bounds, trace };
}

/** A country held above 0 is no longer free to be dropped; one held at 0 no longer to be funded. */
function setLower(box: Box, value: number, rule: BoundRule): void {
  box.lower = value;
  box.lowerBy = rule;
  box.semi = false;
}

function setUpper(box: Box, value: number, rule: BoundRule): void {
  box.upper = value;
  box.upperBy = rule;
  if (value === 0) box.semi = false;
}

function fill(markets: readonly Market[], boxes: readonly Box[], totalMinor: number): number[] {
  return waterFill(markets.map((mk, i) => ({ ...mk, minMinor: boxes[i]!.lower, maxMinor: boxes[i]!.upper })), totalMinor).spends;
}

function marginalAt(mk: Market, spendMinor: number): number {
  return marginalValue(mk.curve, mk.valuePerImpression, spendMinor);
}

function sum(boxes: readonly Box[], side: 'lower' | 'upper'): number {
  return boxes.reduce((s, b) => s + b[side], 0);
}

/**
 * Largest-remainder rounding of continuous spends to whole minor units that stay inside the integer
 * bounds and sum exactly to `total` (the bounds must admit it: Σ lows ≤ total ≤ Σ highs).
 */
export function roundWithin(spends: readonly number[], lows: readonly number[], highs: readonly number[], total: number): number[] {
  const amounts = spends.map((s, i) => Math.min(highs[i]!, Math.max(lows[i]!, Math.floor(s + 1e-9))));
  const rem = spends.map((s) => s - Math.floor(s + 1e-9));
  let left = total - amounts.reduce((a, b) => a + b, 0);
  const byRemainder = spends.map((_, i) => i).sort((a, b) => rem[b]! - rem[a]! || a - b);
  while (left > 0) {
    for (const i of byRemainder) {
      if (left === 0) break;
      if (amounts[i]! < highs[i]!) {
        amounts[i]! += 1;
        left--;
      }
    }
  }
  while (left < 0) {
    for (const i of [...byRemainder].reverse()) {
      if (left === 0) break;
      if (amounts[i]! > lows[i]!) {
        amounts[i]! -= 1;
        left++;
      }
    }
  }
  return amounts;
}
