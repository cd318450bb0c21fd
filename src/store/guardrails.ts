// The facts the apply guardrails need (an ad set's current budget, its recent budget changes, the
// budget moved lately) and their ledger (migration 015).
import type { GuardrailRule } from '../engine/guardrails.ts';
import type { Db } from './db.ts';

export interface KnownBudget {
  minor: number;
  /** Where it comes from: the ad set as the last LIVE sync read it, or the last change applied to it. */
  source: 'meta_sync' | 'last_applied';
  at: Date;
}

/**
 * The ad set's daily budget as the store knows it: the newer of what the last LIVE sync read and
 * the budget of the last change applied to it (its recommendation's budget; a holdout row applied
 * nothing). Imported CSV budgets are summed per campaign, not kept per ad set, so they say nothing here.
 */
export async function knownAdsetBudget(db: Db, campaignId: string, adsetId: string | null): Promise<KnownBudget | null> {
  const rows = await db.query<{ source: KnownBudget['source']; minor: string | number; at: string | Date }>(
    `(select 'meta_sync' as source, daily_budget_minor as minor, synced_at as at from meta_adsets
        where adset_id = $2 and campaign_id = $1 and daily_budget_minor is not null)
     union all
     (select 'last_applied', r.total_budget_minor, h.applied_at from targeting_history h
        join recommendations r on r.recommendation_id = h.recommendation_id
        where h.campaign_id = $1 and h.adset_id is not distinct from $2 and h.success and not h.dry_run
          and h.experiment_arm is distinct from 'holdout'
        order by h.applied_at desc, h.id desc limit 1)`,
    [campaignId, adsetId],
  );
  const known = rows.map((r) => ({ source: r.source, minor: Number(r.minor), at: new Date(r.at) }));
  known.sort((a, b) => b.at.getTime() - a.at.getTime());
  return known[0] ?? null;
}

/** The recommendation's budget for its ad set, in minor units, and its currency. */
export async function recommendedBudget(db: Db, recommendationId: string): Promise<{ minor: number; currency: string } | null> {
  const rows = await db.query<{ minor: string | number; currency: string }>('select total_budget_minor as minor, currency from recommendations where recommendation_id = $1', [recommendationId]);
  const r = rows[0];
  return r === undefined ? null : { minor: Number(r.minor), currency: r.currency };
}

/**
 * Budget changes of the ad set in the mode that passed the guardrails since the instant (withdrawn
 * ones did not happen). STUB changes are simulated: they never count against LIVE's limits.
 */
export async function budgetChangesSince(db: Db, campaignId: string, adsetId: string | null, since: Date, mode: 'stub' | 'live'): Promise<number> {
  const rows = await db.query<{ n: number }>(
    `select count(*)::int as n from apply_guardrail_events
     where campaign_id = $1 and adset_id is not distinct from $2 and outcome = 'passed' and budget_change and recorded_at > $3 and mode = $4`,
    [campaignId, adsetId, since, mode],
  );
  return rows[0]?.n ?? 0;
}

/** Budget moved in the currency and mode since the instant, all ad sets together, in minor units. */
export async function budgetMovedSince(db: Db, currency: string, since: Date, mode: 'stub' | 'live'): Promise<number> {
  const rows = await db.query<{ moved: string | number | null }>(
    `select sum(moved_minor)::text as moved from apply_guardrail_events
     where currency = $1 and outcome = 'passed' and budget_change and recorded_at > $2 and mode = $3`,
    [currency, since, mode],
  );
  return Number(rows[0]?.moved ?? 0);
}

export interface GuardrailEvent {
  recordedAt: Date;
  recommendationId: string;
  campaignId: string;
  adsetId: string | null;
  mode: 'stub' | 'live';
  outcome: 'passed' | 'blocked';
  rule: string | null;
  message: string;
  currency: string;
  currentBudgetMinor: number | null;
  proposedBudgetMinor: number;
  budgetChange: boolean;
  movedMinor: number;
  confidence: number;
  actor: string;
}

export async function insertGuardrailEvent(tx: Db, e: GuardrailEvent): Promise<number> {
  const rows = await tx.query<{ id: number }>(
    `insert into apply_guardrail_events (recorded_at, recommendation_id, campaign_id, adset_id, mode, outcome, rule, message, currency,
       current_budget_minor, proposed_budget_minor, budget_change, moved_minor, confidence, actor)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) returning id::float8 as id`,
    [e.recordedAt, e.recommendationId, e.campaignId, e.adsetId, e.mode, e.outcome, e.rule, e.message, e.currency, e.currentBudgetMinor, e.proposedBudgetMinor, e.budgetChange, e.movedMinor, e.confidence, e.actor],
  );
  return Number(rows[0]!.id);
}

/** A pass whose change did not happen (Meta refused it): it no longer counts against the limits. */
export async function withdrawGuardrailPass(tx: Db, eventId: number): Promise<void> {
  await withdrawGuardrailPasses(tx, [eventId]);
}

/** The passes of one change across several ad sets, withdrawn together. */
export async function withdrawGuardrailPasses(tx: Db, eventIds: number[]): Promise<void> {
  if (eventIds.length === 0) return;
  await tx.query(`update apply_guardrail_events set outcome = 'withdrawn' where id = any($1::bigint[]) and outcome = 'passed'`, [eventIds]);
}

export interface GuardrailEventRow {
  id: number;
  recorded_at: string;
  recommendation_id: string | null;
  campaign_id: string;
  adset_id: string | null;
  mode: string;
  outcome: 'passed' | 'blocked' | 'withdrawn';
  rule: GuardrailRule | null;
  message: string;
  actor: string | null;
}

/** The latest verdicts, newest first (blocked ones included), for the API and the CLI. */
export async function listGuardrailEvents(db: Db, filter: { campaignId: string | null; outcome: string | null; limit: number }): Promise<GuardrailEventRow[]> {
  const rows = await db.query<GuardrailEventRow & { recorded_at: string | Date }>(
    `select id::float8 as id, recorded_at, recommendation_id::text as recommendation_id, campaign_id, adset_id, mode, outcome, rule, message, actor
     from apply_guardrail_events
     where ($1::text is null or campaign_id = $1) and ($2::text is null or outcome = $2)
     order by recorded_at desc, id desc limit $3`,
    [filter.campaignId, filter.outcome, filter.limit],
  );
  return rows.map((r) => ({ ...r, id: Number(r.id), recorded_at: new Date(r.recorded_at).toISOString() }));
}
