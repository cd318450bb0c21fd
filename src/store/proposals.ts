// The approval step's proposals (migration 015): a manager proposes a recommendation, an admin
// approves (which applies it) or rejects it.
import type { Db } from './db.ts';

export interface Proposal {
  id: number;
  recommendation_id: string;
  campaign_id: string;
  adset_id: string | null;
  mode: 'stub' | 'live';
  status: 'proposed' | 'approved' | 'rejected';
  proposed_by: string;
  proposed_at: string;
  decided_by: string | null;
  decided_at: string | null;
  history_id: number | null;
  note: string | null;
}

const COLUMNS = `id::float8 as id, recommendation_id::text as recommendation_id, campaign_id, adset_id, mode, status, proposed_by, proposed_at,
  decided_by, decided_at, history_id::float8 as history_id, note`;

function proposalOf(r: Record<string, unknown>): Proposal {
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  return { ...(r as unknown as Proposal), id: Number(r.id), history_id: r.history_id === null ? null : Number(r.history_id), proposed_at: iso(r.proposed_at)!, decided_at: iso(r.decided_at) };
}

/** The open proposal of the recommendation in this mode, made now unless one is open already. */
export async function insertOrFindOpenProposal(tx: Db, p: { recommendationId: string; campaignId: string; adsetId: string | null; mode: 'stub' | 'live'; by: string; at: Date }): Promise<{ proposal: Proposal; created: boolean }> {
  const inserted = await tx.query<Record<string, unknown>>(
    `insert into apply_proposals (recommendation_id, campaign_id, adset_id, mode, status, proposed_by, proposed_at)
     values ($1, $2, $3, $4, 'proposed', $5, $6)
     on conflict (recommendation_id, mode) where status = 'proposed' do nothing
     returning ${COLUMNS}`,
    [p.recommendationId, p.campaignId, p.adsetId, p.mode, p.by, p.at],
  );
  if (inserted[0] !== undefined) return { proposal: proposalOf(inserted[0]), created: true };
  const open = await tx.query<Record<string, unknown>>(`select ${COLUMNS} from apply_proposals where recommendation_id = $1 and mode = $2 and status = 'proposed'`, [p.recommendationId, p.mode]);
  return { proposal: proposalOf(open[0]!), created: false };
}

export async function getProposal(db: Db, id: number, forUpdate = false): Promise<Proposal | null> {
  const rows = await db.query<Record<string, unknown>>(`select ${COLUMNS} from apply_proposals where id = $1${forUpdate ? ' for update' : ''}`, [id]);
  return rows[0] === undefined ? null : proposalOf(rows[0]);
}

/** A change of the proposal's recommendation recorded since it was proposed, pending or applied (an approval at work, or an apply); its history row id, or null. A holdout's row changed nothing. */
export async function changeRecordedFor(db: Db, p: Pick<Proposal, 'recommendation_id' | 'mode' | 'proposed_at'>): Promise<number | null> {
  const rows = await db.query<{ id: number }>(
    `select id from targeting_history where recommendation_id = $1 and mode = $2 and not dry_run and state in ('pending', 'applied') and experiment_arm is distinct from 'holdout' and applied_at >= $3 order by id limit 1`,
    [p.recommendation_id, p.mode, new Date(p.proposed_at)],
  );
  return rows[0]?.id ?? null;
}

/** Closes an open proposal; null when it was no longer open (someone decided it meanwhile). */
export async function decideProposal(tx: Db, id: number, d: { status: 'approved' | 'rejected'; by: string; at: Date; historyId: number | null; note: string | null }): Promise<Proposal | null> {
  const rows = await tx.query<Record<string, unknown>>(
    `update apply_proposals set status = $2, decided_by = $3, decided_at = $4, history_id = $5, note = $6
     where id = $1 and status = 'proposed' returning ${COLUMNS}`,
    [id, d.status, d.by, d.at, d.historyId, d.note],
  );
  return rows[0] === undefined ? null : proposalOf(rows[0]);
}

export async function listProposals(db: Db, filter: { status: Proposal['status'] | null; limit: number }): Promise<Proposal[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select ${COLUMNS} from apply_proposals where ($1::text is null or status = $1) order by proposed_at desc, id desc limit $2`,
    [filter.status, filter.limit],
  );
  return rows.map(proposalOf);
}
