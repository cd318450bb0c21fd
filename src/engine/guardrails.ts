// The guardrails of an apply, as one pure function of the facts: the service reads the facts (the
// ad set's current budget, its recent budget changes, the budget moved today) and this decides.
// Checked before anything is recorded as a change or sent to Meta, in STUB and LIVE alike.

/** The rules, in the order they are checked: the first that fails is the one named. */
export const GUARDRAIL_RULES = ['apply_disabled', 'approval_required', 'min_confidence', 'max_budget_change', 'hourly_budget_changes', 'daily_budget_moved'] as const;
export type GuardrailRule = (typeof GUARDRAIL_RULES)[number];

/**
 * Why a rule blocks: `state` rules depend on what happened or who asked (they may pass later, or
 * after someone acts); `content` rules judge the recommendation itself (it never passes under the
 * same settings). The API answers 409 for the first and 422 for the second.
 */
export const GUARDRAIL_RULE_KIND: Record<GuardrailRule, 'state' | 'content'> = {
  apply_disabled: 'state',
  approval_required: 'state',
  min_confidence: 'content',
  max_budget_change: 'content',
  hourly_budget_changes: 'state',
  daily_budget_moved: 'state',
};

export interface GuardrailSettings {
  /** The kill switch for this mode: false refuses every apply. */
  applyEnabled: boolean;
  approvalRequired: boolean;
  /** 0 to 1. */
  minConfidence: number;
  /** Largest budget change of one ad set in one apply, in percent of its current budget. */
  maxBudgetChangePct: number;
  /** Budget changes of one ad set in any rolling hour (Meta allows 4). */
  maxBudgetChangesPerHour: number;
  /** Total budget moved (the sum of |new − old|) in any rolling 24 hours, in the currency's minor units; null: no cap. */
  dailyBudgetMoveCapMinor: number | null;
}

export interface GuardrailFacts {
  confidence: number;
  /** The ad set's budget now, in minor units; null when nothing the store holds says it. */
  currentBudgetMinor: number | null;
  proposedBudgetMinor: number;
  /** Budget changes of this ad set that passed the guardrails in the last hour. */
  budgetChangesLastHour: number;
  /** Budget moved in the last 24 hours in this currency, all ad sets together, in minor units. */
  budgetMovedLast24hMinor: number;
  /** The change comes through an approval (or approval is not needed of this caller). */
  approved: boolean;
}

export interface GuardrailCheck {
  rule: GuardrailRule;
  passed: boolean;
  detail: string;
}

export interface GuardrailVerdict {
  allowed: boolean;
  /** The first rule that failed; null when allowed. */
  blockedBy: GuardrailRule | null;
  /** What the blocking rule says, or a summary when allowed. */
  message: string;
  /** Every rule's own answer, in checking order (a dry run shows them all). */
  checks: GuardrailCheck[];
  /** The budget changes (it differs from the current one, or the current one is unknown). */
  budgetChange: boolean;
  /** |proposed − current| (the whole proposed budget when the current one is unknown), in minor units. */
  movedMinor: number;
}

/** Decides whether one ad set's change may go ahead. `money` prints minor units in the currency. */
export function judgeGuardrails(facts: GuardrailFacts, settings: GuardrailSettings, money: (minor: number) => string): GuardrailVerdict {
  const { currentBudgetMinor, proposedBudgetMinor, budgetChangesLastHour, ...common } = facts;
  const v = judgeGuardrailsAcross({ ...common, adsets: [{ label: null, isNew: false, currentBudgetMinor, proposedBudgetMinor, budgetChangesLastHour }] }, settings, money);
  return { allowed: v.allowed, blockedBy: v.blockedBy, message: v.message, checks: v.checks, budgetChange: v.adsets[0]!.budgetChange, movedMinor: v.adsets[0]!.movedMinor };
}

/** One Meta ad set's budget in a change that spans several (one ad set per country). */
export interface AdsetBudgetFacts {
  /** How the checks name it (its id); null when the change has one ad set only. */
  label: string | null;
  /**
   * An ad set the change creates (a geo split's copy): it has no budget of its own to change from.
   * Outside a first split it is judged as an unfunded group (see newAdsetBaseMinor).
   */
  isNew: boolean;
  currentBudgetMinor: number | null;
  proposedBudgetMinor: number;
  budgetChangesLastHour: number;
}

/**
 * One country group of a geo split that creates or regroups its ad sets, judged by the money its
 * audience had before rather than by the Meta ad set that holds it.
 */
export interface SplitGroupFacts {
  /** How the checks name it: its key and countries. */
  label: string;
  /** The ad set holding the group (its index in facts.adsets), for naming the one a refusal stops. */
  adset: number;
  /**
   * What the group's countries got before. A first split: their share of the original's spend over
   * the recommendation's window times the original's current budget. A regrouping: what they get
   * now (regroup). 0 when they had nothing: any amount is then an unbounded change.
   */
  previousBudgetMinor: number;
  proposedBudgetMinor: number;
}

export interface GuardrailFactsAcross {
  confidence: number;
  budgetMovedLast24hMinor: number;
  approved: boolean;
  /** The ad sets whose budget the change sets; may be empty (the change sets no budget). */
  adsets: AdsetBudgetFacts[];
  /**
   * A change that creates a geo split: the budget-change limit judges each country group's money
   * against what it got before, and the family's total (original and copies) against the
   * original's current budget, instead of each Meta ad set. Absent: per ad set.
   */
  firstSplit?: { originalBudgetMinor: number; groups: SplitGroupFacts[] } | null;
  /**
   * A change that moves countries between the ad sets of a split in force (a country joining or
   * leaving the pool, a new group's copy): an ad set whose countries change gains or loses their
   * money whole, which is no move of money between audiences. Each group is judged against what
   * its countries get now (a country's own ad set's budget, or its part of a pooled ad set's), a
   * group whose countries get nothing against the split's current total, and the total proposed
   * against the current one. Absent: per ad set.
   */
  regroup?: { currentTotalMinor: number; proposedTotalMinor: number; groups: SplitGroupFacts[] } | null;
  /**
   * The original ad set's current budget when the change creates copies in a split that exists
   * already: a new group's copy has no budget before, and passes only within the limit's share of
   * it. Null or absent: unknown.
   */
  newAdsetBaseMinor?: number | null;
}

export interface GuardrailVerdictAcross {
  allowed: boolean;
  blockedBy: GuardrailRule | null;
  /** The ad set whose check failed (its index in facts.adsets); null when allowed or when the failed rule is not an ad set's. */
  blockedAdset: number | null;
  message: string;
  checks: GuardrailCheck[];
  /** Per ad set, in the order given: whether its budget changes and by how much (minor units). */
  adsets: { budgetChange: boolean; movedMinor: number }[];
  /** The sum of movedMinor: what counts against the daily cap. */
  movedMinor: number;
}

/**
 * The same rules over a change that sets the budgets of several Meta ad sets: the budget-change
 * limit and the hourly count hold for each ad set (Meta throttles each ad set on its own), the daily
 * cap for the total moved across them.
 */
export function judgeGuardrailsAcross(facts: GuardrailFactsAcross, settings: GuardrailSettings, money: (minor: number) => string): GuardrailVerdictAcross {
  const per = facts.adsets.map((a) => {
    const budgetChange = a.currentBudgetMinor === null || a.currentBudgetMinor !== a.proposedBudgetMinor;
    // An unknown current budget counts as moving all of it: the cap errs on the side of less money moved.
    const movedMinor = !budgetChange ? 0 : a.currentBudgetMinor === null ? a.proposedBudgetMinor : Math.abs(a.proposedBudgetMinor - a.currentBudgetMinor);
    return { a, budgetChange, movedMinor };
  });
  const moved = per.reduce((sum, p) => sum + p.movedMinor, 0);
  const named = (at: number | null, c: GuardrailCheck): GuardrailCheck & { adset: number | null } => {
    const label = at === null ? null : facts.adsets[at]!.label;
    return { ...c, detail: label === null ? c.detail : `ad set ${label}: ${c.detail}`, adset: at };
  };
  const pct = settings.maxBudgetChangePct;
  const split = facts.firstSplit ?? null;
  const regroup = facts.regroup ?? null;
  const sizeChecks = split !== null
    ? [
        ...split.groups.map((g) => ({ ...groupCheck(g, split.originalBudgetMinor, pct, money), adset: g.adset })),
        named(null, familyCheck(split.groups.reduce((s, g) => s + g.proposedBudgetMinor, 0), split.originalBudgetMinor, pct, money)),
      ]
    : regroup !== null
      ? [
          ...regroup.groups.map((g) => ({ ...regroupCheck(g, regroup.currentTotalMinor, pct, money), adset: g.adset })),
          named(null, budgetChangeCheck(regroup.currentTotalMinor, regroup.proposedTotalMinor, pct, money, "the geo split's total budget (original and copies)")),
        ]
      : per.map((p, i) => named(i, p.a.isNew ? unfundedCheck('the new ad set of the geo split', p.a.proposedBudgetMinor, facts.newAdsetBaseMinor ?? null, pct, money) : budgetChangeCheck(p.a.currentBudgetMinor, p.a.proposedBudgetMinor, pct, money)));
  const budgetChecks = per.length === 0
    ? [named(null, { rule: 'max_budget_change', passed: true, detail: 'the change sets no ad set budget' }), named(null, { rule: 'hourly_budget_changes', passed: true, detail: 'the change sets no ad set budget' })]
    : [...sizeChecks, ...per.map((p, i) => named(i, hourlyCheck(p.budgetChange, p.a.budgetChangesLastHour, settings.maxBudgetChangesPerHour)))];
  const checks = [
    named(null, {
      rule: 'apply_disabled',
      passed: settings.applyEnabled,
      detail: settings.applyEnabled ? 'applying is enabled (META_TARGETING_APPLY_ENABLED)' : 'applying is switched off (META_TARGETING_APPLY_ENABLED=false): nothing is applied until it is set to true',
    }),
    named(null, {
      rule: 'approval_required',
      passed: !settings.approvalRequired || facts.approved,
      detail: !settings.approvalRequired
        ? 'no approval needed (META_TARGETING_APPROVAL_REQUIRED is off)'
        : facts.approved
          ? 'approved by an admin'
          : 'an admin must approve this change first (META_TARGETING_APPROVAL_REQUIRED): propose it, then an admin approves it',
    }),
    named(null, {
      rule: 'min_confidence',
      passed: facts.confidence >= settings.minConfidence,
      detail: `confidence ${facts.confidence.toFixed(3)} ${facts.confidence >= settings.minConfidence ? 'reaches' : 'is below'} the minimum ${settings.minConfidence} (META_TARGETING_MIN_CONFIDENCE)`,
    }),
    ...budgetChecks,
    named(null, dailyCapCheck(moved, facts.budgetMovedLast24hMinor, settings.dailyBudgetMoveCapMinor, money)),
  ];
  const failed = checks.find((c) => !c.passed) ?? null;
  return {
    allowed: failed === null,
    blockedBy: failed?.rule ?? null,
    blockedAdset: failed?.adset ?? null,
    message: failed === null ? 'every guardrail passed' : `guardrail ${failed.rule}: ${failed.detail}`,
    checks: checks.map(({ adset: _adset, ...c }) => c),
    adsets: per.map((p) => ({ budgetChange: p.budgetChange, movedMinor: p.movedMinor })),
    movedMinor: moved,
  };
}

function hourlyCheck(budgetChange: boolean, changesLastHour: number, max: number): GuardrailCheck {
  return {
    rule: 'hourly_budget_changes',
    passed: !budgetChange || changesLastHour < max,
    detail: !budgetChange
      ? 'the budget does not change'
      : `${changesLastHour} budget change(s) of this ad set in the last hour; ${changesLastHour < max ? 'this one is within' : 'another would exceed'} the limit of ${max} an hour (META_TARGETING_MAX_BUDGET_CHANGES_PER_HOUR; Meta refuses a fifth with code 17)`,
  };
}

const LIMIT = 'META_TARGETING_MAX_BUDGET_CHANGE_PCT';

function budgetChangeCheck(current: number | null, proposed: number, maxPct: number, money: (minor: number) => string, what = 'the budget', slackMinor = 0): GuardrailCheck {
  if (current === null) {
    return { rule: 'max_budget_change', passed: true, detail: `the ad set's current budget is unknown (no LIVE sync or earlier apply holds it): the change limit cannot be measured; ${money(proposed)} is set` };
  }
  if (current === proposed) return { rule: 'max_budget_change', passed: true, detail: `${what} stays ${money(current)}` };
  const passed = current > 0 && withinPct(Math.max(0, Math.abs(proposed - current) - slackMinor), current, maxPct);
  return {
    rule: 'max_budget_change',
    passed,
    detail: `${what} would move from ${money(current)} to ${money(proposed)} (${changePct(current, proposed)}); ${passed ? 'within' : 'beyond'} the limit of ±${maxPct} % per apply (${LIMIT})`,
  };
}

/** Exact in integers: amount × 100 ≤ maxPct × base, with maxPct's decimals scaled out. */
function withinPct(amount: number, base: number, maxPct: number): boolean {
  const scale = 10_000;
  return amount * 100 * scale <= Math.round(maxPct * scale) * base;
}

function changePct(from: number, to: number): string {
  if (from === 0) return '+∞ %';
  const pct = ((to - from) / from) * 100;
  return `${pct >= 0 ? '+' : ''}${pct.toFixed(1)} %`;
}

/** A country group of a first split: its proposed budget against what its countries got from the original before. */
function groupCheck(g: SplitGroupFacts, originalMinor: number, maxPct: number, money: (minor: number) => string): GuardrailCheck {
  const what = `country group ${g.label}`;
  if (g.previousBudgetMinor === 0) return unfundedCheck(`${what} (no spend in the recommendation's window: a previous implied budget of ${money(0)})`, g.proposedBudgetMinor, originalMinor, maxPct, money);
  // The implied budget is itself rounded to a whole minor unit, and so is the split the engine held
  // to the same limit: one minor unit of that rounding is not a change.
  return budgetChangeCheck(g.previousBudgetMinor, g.proposedBudgetMinor, maxPct, money, `${what}: its previous implied budget (its share of the original ad set's spend times its budget)`, 1);
}

/** A country group of a split in force whose ad sets regroup: its proposed budget against what its countries get now. */
function regroupCheck(g: SplitGroupFacts, currentTotalMinor: number, maxPct: number, money: (minor: number) => string): GuardrailCheck {
  const what = `country group ${g.label}`;
  if (g.previousBudgetMinor === 0) return unfundedCheck(`${what} (its countries get nothing now)`, g.proposedBudgetMinor, currentTotalMinor, maxPct, money, "the geo split's current total budget");
  // A pooled country's part of its ad set's budget is rounded to a whole minor unit.
  return budgetChangeCheck(g.previousBudgetMinor, g.proposedBudgetMinor, maxPct, money, `${what}: what its countries get now (a country's own ad set's budget, or its part of the pooled ad set's)`, 1);
}

/** The family of a first split (the original and its copies together) against the original's current budget. */
function familyCheck(totalMinor: number, originalMinor: number, maxPct: number, money: (minor: number) => string): GuardrailCheck {
  return budgetChangeCheck(originalMinor, totalMinor, maxPct, money, "the geo split's total budget (original and copies) against the original ad set's current budget");
}

/**
 * Money for an audience that had none: a change from 0 is unbounded in percent, so it passes only
 * when the amount is within the limit's share of the original ad set's budget.
 */
function unfundedCheck(what: string, proposed: number, baseMinor: number | null, maxPct: number, money: (minor: number) => string, base = "the original ad set's budget"): GuardrailCheck {
  if (proposed === 0) return { rule: 'max_budget_change', passed: true, detail: `${what} gets no budget` };
  if (baseMinor === null) return { rule: 'max_budget_change', passed: true, detail: `${what} would get ${money(proposed)}, an unbounded change from nothing; the original ad set's budget is unknown, so the change limit cannot be measured` };
  const passed = withinPct(proposed, baseMinor, maxPct);
  return {
    rule: 'max_budget_change',
    passed,
    detail: `${what} would move from ${money(0)} to ${money(proposed)} (+∞ %), an unbounded change: allowed up to ±${maxPct} % of ${base} of ${money(baseMinor)}; ${passed ? 'within' : 'beyond'} it (${LIMIT})`,
  };
}

function dailyCapCheck(moved: number, movedBefore: number, capMinor: number | null, money: (minor: number) => string): GuardrailCheck {
  if (capMinor === null) return { rule: 'daily_budget_moved', passed: true, detail: 'no daily cap on budget moved (META_TARGETING_DAILY_BUDGET_MOVE_CAP unset)' };
  // Nothing moving never breaks the cap, whatever moved before.
  const passed = moved === 0 || movedBefore + moved <= capMinor;
  return {
    rule: 'daily_budget_moved',
    passed,
    detail: `${money(movedBefore)} moved in the last 24 hours, ${money(moved)} now: ${money(movedBefore + moved)} ${passed ? 'within' : 'over'} the cap of ${money(capMinor)} (META_TARGETING_DAILY_BUDGET_MOVE_CAP)`,
  };
}
