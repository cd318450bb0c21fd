import { describe, expect, it } from 'vitest';
import { type GuardrailFacts, type GuardrailFactsAcross, type GuardrailSettings, GUARDRAIL_RULES, judgeGuardrails, judgeGuardrailsAcross, type SplitGroupFacts } from './guardrails.ts';

const settings: GuardrailSettings = { applyEnabled: true, approvalRequired: false, minConfidence: 0.6, maxBudgetChangePct: 20, maxBudgetChangesPerHour: 4, dailyBudgetMoveCapMinor: null };
const facts: GuardrailFacts = { confidence: 0.8, currentBudgetMinor: 10_000, proposedBudgetMinor: 11_000, budgetChangesLastHour: 0, budgetMovedLast24hMinor: 0, approved: false };
const eur = (minor: number) => `EUR ${(minor / 100).toFixed(2)}`;

describe('judgeGuardrails', () => {
  it('allows a change within every limit, and says what each rule found', () => {
    const v = judgeGuardrails(facts, settings, eur);
    expect(v).toMatchObject({ allowed: true, blockedBy: null, budgetChange: true, movedMinor: 1_000 });
    expect(v.checks.map((c) => c.rule)).toEqual([...GUARDRAIL_RULES]);
    expect(v.checks.every((c) => c.passed)).toBe(true);
  });

  it('each rule blocks and names itself', () => {
    const cases: [string, Partial<GuardrailFacts>, Partial<GuardrailSettings>][] = [
      ['apply_disabled', {}, { applyEnabled: false }],
      ['approval_required', {}, { approvalRequired: true }],
      ['min_confidence', { confidence: 0.59 }, {}],
      ['max_budget_change', { proposedBudgetMinor: 12_001 }, {}],
      ['hourly_budget_changes', { budgetChangesLastHour: 4 }, {}],
      ['daily_budget_moved', { budgetMovedLast24hMinor: 4_500 }, { dailyBudgetMoveCapMinor: 5_000 }],
    ];
    expect(cases.map((c) => c[0])).toEqual([...GUARDRAIL_RULES]);
    for (const [rule, f, s] of cases) {
      const v = judgeGuardrails({ ...facts, ...f }, { ...settings, ...s }, eur);
      expect(v.allowed, rule).toBe(false);
      expect(v.blockedBy).toBe(rule);
      expect(v.message).toMatch(new RegExp(`^guardrail ${rule}: `));
      expect(v.checks.filter((c) => !c.passed).map((c) => c.rule)).toEqual([rule]);
    }
  });

  it('the budget limit is ±20 % inclusive, in both directions, exactly in minor units', () => {
    for (const [proposed, allowed] of [[12_000, true], [12_001, false], [8_000, true], [7_999, false]] as const) {
      expect(judgeGuardrails({ ...facts, proposedBudgetMinor: proposed }, settings, eur).allowed, String(proposed)).toBe(allowed);
    }
    expect(judgeGuardrails({ ...facts, currentBudgetMinor: 3, proposedBudgetMinor: 4 }, { ...settings, maxBudgetChangePct: 33.33 }, eur).allowed).toBe(false);
    expect(judgeGuardrails({ ...facts, currentBudgetMinor: 3, proposedBudgetMinor: 4 }, { ...settings, maxBudgetChangePct: 33.34 }, eur).allowed).toBe(true);
  });

  it('the fifth budget change in an hour is refused; a change that keeps the budget is not a budget change', () => {
    expect(judgeGuardrails({ ...facts, budgetChangesLastHour: 3 }, settings, eur).allowed).toBe(true);
    expect(judgeGuardrails({ ...facts, budgetChangesLastHour: 4 }, settings, eur).blockedBy).toBe('hourly_budget_changes');
    const same = judgeGuardrails({ ...facts, proposedBudgetMinor: 10_000, budgetChangesLastHour: 9, budgetMovedLast24hMinor: 10 ** 9 }, { ...settings, dailyBudgetMoveCapMinor: 1 }, eur);
    expect(same).toMatchObject({ allowed: true, budgetChange: false, movedMinor: 0 });
  });

  it('an unknown current budget cannot be measured against the limit, but counts as a change of the whole budget', () => {
    const v = judgeGuardrails({ ...facts, currentBudgetMinor: null, proposedBudgetMinor: 50_000 }, { ...settings, dailyBudgetMoveCapMinor: 60_000 }, eur);
    expect(v).toMatchObject({ allowed: true, budgetChange: true, movedMinor: 50_000 });
    expect(v.checks.find((c) => c.rule === 'max_budget_change')!.detail).toMatch(/unknown/);
    expect(judgeGuardrails({ ...facts, currentBudgetMinor: null, proposedBudgetMinor: 50_000, budgetMovedLast24hMinor: 10_001 }, { ...settings, dailyBudgetMoveCapMinor: 60_000 }, eur).blockedBy).toBe('daily_budget_moved');
  });

  it('the daily cap counts what moved before plus this change, inclusive', () => {
    expect(judgeGuardrails({ ...facts, budgetMovedLast24hMinor: 4_000 }, { ...settings, dailyBudgetMoveCapMinor: 5_000 }, eur).allowed).toBe(true);
    expect(judgeGuardrails({ ...facts, budgetMovedLast24hMinor: 4_001 }, { ...settings, dailyBudgetMoveCapMinor: 5_000 }, eur).blockedBy).toBe('daily_budget_moved');
  });

  it('names the first failing rule when several fail (the kill switch first)', () => {
    const v = judgeGuardrails({ ...facts, confidence: 0.1, proposedBudgetMinor: 99_999, budgetChangesLastHour: 10 }, { ...settings, applyEnabled: false }, eur);
    expect(v.blockedBy).toBe('apply_disabled');
    expect(v.checks.filter((c) => !c.passed).map((c) => c.rule)).toEqual(['apply_disabled', 'min_confidence', 'max_budget_change', 'hourly_budget_changes']);
  });
});

describe('judgeGuardrailsAcross: a first geo split judges money per country group', () => {
  // The original ad set had 10,000 a day; the history split its spend 60 % ES, 30 % FR, 10 % IT.
  const split = (groups: Omit<SplitGroupFacts, 'adset'>[]): GuardrailFactsAcross => ({
    confidence: 0.8,
    budgetMovedLast24hMinor: 0,
    approved: true,
    adsets: groups.map((g, i) => ({ label: i === 0 ? 'orig' : null, isNew: i > 0, currentBudgetMinor: i === 0 ? 10_000 : null, proposedBudgetMinor: g.proposedBudgetMinor, budgetChangesLastHour: 0 })),
    firstSplit: { originalBudgetMinor: 10_000, groups: groups.map((g, i) => ({ ...g, adset: i })) },
  });
  const sizeChecks = (v: ReturnType<typeof judgeGuardrailsAcross>) => v.checks.filter((c) => c.rule === 'max_budget_change');

  it('a split within ±20 % of the history\'s split passes, although the original ad set loses 40 % of its budget', () => {
    const v = judgeGuardrailsAcross(split([
      { label: 'ES', previousBudgetMinor: 6_000, proposedBudgetMinor: 7_000 },
      { label: 'FR', previousBudgetMinor: 3_000, proposedBudgetMinor: 2_500 },
      { label: 'IT', previousBudgetMinor: 1_000, proposedBudgetMinor: 1_100 },
    ]), settings, eur);
    expect(v.allowed).toBe(true);
    expect(sizeChecks(v).map((c) => c.detail)).toEqual([
      expect.stringMatching(/^country group ES: .*previous implied budget.* from EUR 60\.00 to EUR 70\.00 \(\+16\.7 %\); within/),
      expect.stringMatching(/^country group FR: .* from EUR 30\.00 to EUR 25\.00 \(-16\.7 %\); within/),
      expect.stringMatching(/^country group IT: .* from EUR 10\.00 to EUR 11\.00 \(\+10\.0 %\); within/),
      expect.stringMatching(/total budget .* from EUR 100\.00 to EUR 106\.00 \(\+6\.0 %\); within/),
    ]);
  });

  it('a group moved beyond the limit is refused, naming that group and the ad set that holds it', () => {
    const v = judgeGuardrailsAcross(split([
      { label: 'ES', previousBudgetMinor: 6_000, proposedBudgetMinor: 6_000 },
      { label: 'FR', previousBudgetMinor: 3_000, proposedBudgetMinor: 3_700 },
      { label: 'IT', previousBudgetMinor: 1_000, proposedBudgetMinor: 1_000 },
    ]), settings, eur);
    expect(v).toMatchObject({ allowed: false, blockedBy: 'max_budget_change', blockedAdset: 1 });
    expect(v.message).toMatch(/^guardrail max_budget_change: country group FR: .* from EUR 30\.00 to EUR 37\.00 \(\+23\.3 %\); beyond the limit of ±20 %/);
    expect(sizeChecks(v).filter((c) => !c.passed)).toHaveLength(1);
  });

  it('a group without spend in the window is an unbounded change: it passes only within 20 % of the original\'s budget', () => {
    const groups = (de: number) => [
      { label: 'ES', previousBudgetMinor: 10_000, proposedBudgetMinor: 8_000 },
      { label: 'DE', previousBudgetMinor: 0, proposedBudgetMinor: de },
    ];
    const within = judgeGuardrailsAcross(split(groups(2_000)), settings, eur);
    expect(within.allowed).toBe(true);
    expect(sizeChecks(within)[1]!.detail).toMatch(/^country group DE \(no spend in the recommendation's window: a previous implied budget of EUR 0\.00\) would move from EUR 0\.00 to EUR 20\.00 \(\+∞ %\), an unbounded change: allowed up to ±20 % of the original ad set's budget of EUR 100\.00; within/);
    const refused = judgeGuardrailsAcross(split(groups(2_001)), settings, eur);
    expect(refused).toMatchObject({ allowed: false, blockedBy: 'max_budget_change', blockedAdset: 1 });
    expect(refused.message).toMatch(/country group DE .*unbounded change.*beyond/);
  });

  it('the family\'s total is judged against the original\'s budget: groups each within the limit may add up beyond it', () => {
    // Every funded group may grow 20 % and an unfunded one take 20 % of the original: 40 % more money in all.
    const v = judgeGuardrailsAcross(split([
      { label: 'ES', previousBudgetMinor: 10_000, proposedBudgetMinor: 12_000 },
      { label: 'DE', previousBudgetMinor: 0, proposedBudgetMinor: 2_000 },
    ]), settings, eur);
    expect(v).toMatchObject({ allowed: false, blockedBy: 'max_budget_change', blockedAdset: null });
    expect(v.checks.filter((c) => !c.passed).map((c) => c.detail)).toEqual([expect.stringMatching(/total budget \(original and copies\) .* from EUR 100\.00 to EUR 140\.00 \(\+40\.0 %\); beyond/)]);
    const less = judgeGuardrailsAcross(split([{ label: 'ES', previousBudgetMinor: 10_000, proposedBudgetMinor: 10_000 }, { label: 'DE', previousBudgetMinor: 0, proposedBudgetMinor: 2_000 }]), settings, eur);
    expect(less.allowed).toBe(true);
  });

  it('outside a first split, a copy is no longer waved through: it is an unfunded group of the original\'s budget', () => {
    const f: GuardrailFactsAcross = { confidence: 0.8, budgetMovedLast24hMinor: 0, approved: true, newAdsetBaseMinor: 10_000, adsets: [{ label: 'new', isNew: true, currentBudgetMinor: null, proposedBudgetMinor: 2_001, budgetChangesLastHour: 0 }] };
    expect(judgeGuardrailsAcross(f, settings, eur)).toMatchObject({ allowed: false, blockedBy: 'max_budget_change', blockedAdset: 0 });
    expect(judgeGuardrailsAcross({ ...f, adsets: [{ ...f.adsets[0]!, proposedBudgetMinor: 2_000 }] }, settings, eur).allowed).toBe(true);
  });
});

describe('judgeGuardrailsAcross: a split in force that regroups its ad sets judges money per country group', () => {
  // The split now: ES's own ad set 60.00, CL's own 4.06, a pool of MX at 2.00; 66.06 in all. CL falls
  // under half the minimum and joins MX's pool; its own ad set is retired (paused: no budget sent).
  const regroup = (groups: Omit<SplitGroupFacts, 'adset'>[], currentBudgets: number[], proposedTotalMinor: number): GuardrailFactsAcross => ({
    confidence: 0.8,
    budgetMovedLast24hMinor: 0,
    approved: true,
    adsets: groups.map((g, i) => ({ label: String(i), isNew: false, currentBudgetMinor: currentBudgets[i]!, proposedBudgetMinor: g.proposedBudgetMinor, budgetChangesLastHour: 0 })),
    regroup: { currentTotalMinor: 6_606, proposedTotalMinor, groups: groups.map((g, i) => ({ ...g, adset: i })) },
  });
  const sizeChecks = (v: ReturnType<typeof judgeGuardrailsAcross>) => v.checks.filter((c) => c.rule === 'max_budget_change');

  it('a pool that takes in a country is judged against what its countries got, not its ad set\'s old budget', () => {
    const facts = regroup([
      { label: 'ES', previousBudgetMinor: 6_000, proposedBudgetMinor: 6_600 },
      { label: 'pool (CL, MX)', previousBudgetMinor: 606, proposedBudgetMinor: 567 },
    ], [6_000, 200], 7_167);
    const v = judgeGuardrailsAcross(facts, settings, eur);
    expect(v.allowed).toBe(true);
    expect(sizeChecks(v).map((c) => c.detail)).toEqual([
      expect.stringMatching(/^country group ES: what its countries get now .* from EUR 60\.00 to EUR 66\.00 \(\+10\.0 %\); within/),
      expect.stringMatching(/^country group pool \(CL, MX\): what its countries get now .* from EUR 6\.06 to EUR 5\.67 \(-6\.4 %\); within/),
      expect.stringMatching(/^the geo split's total budget \(original and copies\) would move from EUR 66\.06 to EUR 71\.67 \(\+8\.5 %\); within/),
    ]);
    // Per Meta ad set the pool would move from 2.00 to 5.67 (+183.5 %) and be refused.
    const perAdSet = judgeGuardrailsAcross({ ...facts, regroup: null }, settings, eur);
    expect(perAdSet).toMatchObject({ allowed: false, blockedBy: 'max_budget_change', blockedAdset: 1 });
  });

  it('a group beyond the limit of what its countries got is refused, naming it; a group whose countries get nothing now is judged against the split\'s total', () => {
    const beyond = judgeGuardrailsAcross(regroup([
      { label: 'ES', previousBudgetMinor: 6_000, proposedBudgetMinor: 6_000 },
      { label: 'pool (CL, MX)', previousBudgetMinor: 606, proposedBudgetMinor: 750 },
    ], [6_000, 200], 6_750), settings, eur);
    expect(beyond).toMatchObject({ allowed: false, blockedBy: 'max_budget_change', blockedAdset: 1 });
    expect(beyond.message).toMatch(/country group pool \(CL, MX\): .* from EUR 6\.06 to EUR 7\.50 \(\+23\.8 %\); beyond the limit of ±20 %/);
    const fresh = (de: number) => judgeGuardrailsAcross(regroup([
      { label: 'ES', previousBudgetMinor: 6_000, proposedBudgetMinor: 5_000 },
      { label: 'DE', previousBudgetMinor: 0, proposedBudgetMinor: de },
    ], [6_000, 0], 5_000 + de + 606), settings, eur);
    expect(fresh(1_321).allowed).toBe(true);
    expect(fresh(1_322)).toMatchObject({ allowed: false, blockedBy: 'max_budget_change', blockedAdset: 1 });
    expect(fresh(1_322).message).toMatch(/country group DE \(its countries get nothing now\) .*allowed up to ±20 % of the geo split's current total budget of EUR 66\.06; beyond/);
  });
});
