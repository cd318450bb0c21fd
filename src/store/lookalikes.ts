// Lookalike audiences made or found for recommendations (migration 015), with their state: Meta
// takes hours to populate one.
import type { Db } from './db.ts';

export interface StoredLookalike {
  audienceId: string;
  accountId: string;
  originAudienceId: string;
  ratioPct: number;
  /** Upper-case, sorted. */
  countries: string[];
  name: string;
  state: 'populating' | 'ready' | 'unusable';
  origin: 'created' | 'found';
  createdAt: string;
  checkedAt: string;
  readyAt: string | null;
  statusMessage: string | null;
}

function lookalikeOf(r: Record<string, unknown>): StoredLookalike {
  const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());
  return {
    audienceId: r.audience_id as string,
    accountId: r.account_id as string,
    originAudienceId: r.origin_audience_id as string,
    ratioPct: Number(r.ratio_pct),
    countries: r.countries as string[],
    name: r.name as string,
    state: r.state as StoredLookalike['state'],
    origin: r.origin as StoredLookalike['origin'],
    createdAt: iso(r.created_at)!,
    checkedAt: iso(r.checked_at)!,
    readyAt: iso(r.ready_at),
    statusMessage: (r.status_message as string | null) ?? null,
  };
}

export async function findStoredLookalike(db: Db, id: { accountId: string; originAudienceId: string; ratioPct: number; countries: string[] }): Promise<StoredLookalike | null> {
  const rows = await db.query<Record<string, unknown>>(
    'select * from meta_lookalikes where account_id = $1 and origin_audience_id = $2 and ratio_pct = $3 and countries = $4::text[]',
    [id.accountId, id.originAudienceId, id.ratioPct, id.countries],
  );
  return rows[0] === undefined ? null : lookalikeOf(rows[0]);
}

/** The account's recorded lookalikes that are not unusable, the most recently made first. */
export async function usableLookalikesOf(db: Db, accountId: string): Promise<StoredLookalike[]> {
  const rows = await db.query<Record<string, unknown>>(`select * from meta_lookalikes where account_id = $1 and state <> 'unusable' order by created_at desc, audience_id`, [accountId]);
  return rows.map(lookalikeOf);
}

/** Records a lookalike, or its new state; the first time it was seen ready is kept. */
export async function upsertLookalike(tx: Db, l: Omit<StoredLookalike, 'readyAt' | 'createdAt' | 'checkedAt'>, at: Date): Promise<StoredLookalike> {
  const rows = await tx.query<Record<string, unknown>>(
    `insert into meta_lookalikes (audience_id, account_id, origin_audience_id, ratio_pct, countries, name, state, origin, created_at, checked_at, ready_at, status_message)
     values ($1, $2, $3, $4, $5::text[], $6, $7, $8, $9, $9, case when $7 = 'ready' then $9::timestamptz end, $10)
     on conflict (audience_id) do update set state = excluded.state, checked_at = excluded.checked_at, status_message = excluded.status_message,
       ready_at = coalesce(meta_lookalikes.ready_at, excluded.ready_at)
     returning *`,
    [l.audienceId, l.accountId, l.originAudienceId, l.ratioPct, l.countries, l.name, l.state, l.origin, at, l.statusMessage],
  );
  return lookalikeOf(rows[0]!);
}

/** Special ad categories of a synced campaign (empty when it is not synced or has none). */
export async function specialAdCategoriesOf(db: Db, campaignId: string): Promise<string[]> {
  const rows = await db.query<{ c: string[] }>('select special_ad_categories as c from meta_campaigns where campaign_id = $1', [campaignId]);
  return rows[0]?.c ?? [];
}

/** The account's custom audiences that can be a lookalike's source (not lookalikes themselves), as the last sync read them. */
export async function accountSourceAudiences(db: Db): Promise<{ audienceId: string; name: string | null }[]> {
  const rows = await db.query<{ audience_id: string; name: string | null }>(`select audience_id, name from meta_custom_audiences where subtype is distinct from 'LOOKALIKE' order by audience_id`);
  return rows.map((r) => ({ audienceId: r.audience_id, name: r.name }));
}
