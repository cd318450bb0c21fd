import { describe, expect, it } from 'vitest';
import { type GuardrailFacts, type GuardrailSettings, GUARDRAIL_RULES, judgeGuardrails } from './guardrails.ts';

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
