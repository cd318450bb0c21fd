import type { Db } from './db.ts';

/** One state-changing call (API, CLI or scheduler): who, what, when, and how it ended. */
export interface AuditEntry {
  at: Date;
  requestId: string;
  /** The actor: token subject, cli:<os user> or scheduler. */
  subject: string | null;
  role: string | null;
  channel: 'api' | 'cli' | 'scheduler';
  method: string;
  route: string;
  params: Record<string, unknown>;
  /** A summary of the body chosen by the caller: never a token or a secret. */
  bodySummary: Record<string, unknown>;
  /** The HTTP status (api); 0, done, for cli and scheduler rows (failures there change nothing and are not recorded). */
  statusCode: number;
}

export async function insertAuditEntry(db: Db, e: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (at, request_id, subject, role, channel, method, route, params, body_summary, status_code)
     values ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, $9::jsonb, $10)`,
    [e.at, e.requestId, e.subject, e.role, e.channel, e.method, e.route, JSON.stringify(e.params), JSON.stringify(e.bodySummary), e.statusCode],
  );
}

/** Deletes the entries older than `before`; returns how many. */
export async function deleteAuditEntriesBefore(db: Db, before: Date): Promise<number> {
  const rows = await db.query<{ n: number }>('with gone as (delete from audit_log where at < $1 returning 1) select count(*)::int as n from gone', [before]);
  return Number(rows[0]?.n ?? 0);
}

/** A stored entry: the call as recorded, with its row id and time as text. */
export type AuditRow = Omit<AuditEntry, 'at'> & { id: number; at: string };

/** The latest entries first. */
export async function listAuditEntries(db: Db, limit: number): Promise<AuditRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select id::float8 as id, at, request_id, subject, role, channel, method, route, params, body_summary, status_code
     from audit_log order by at desc, id desc limit $1`,
    [limit],
  );
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v) as Record<string, unknown>;
  return rows.map((r) => ({
    id: Number(r.id),
    at: new Date(r.at as string).toISOString(),
    requestId: String(r.request_id),
    subject: (r.subject as string | null) ?? null,
    role: (r.role as string | null) ?? null,
    channel: r.channel as AuditEntry['channel'],
    method: String(r.method),
    route: String(r.route),
    params: json(r.params),
    bodySummary: json(r.body_summary),
    statusCode: Number(r.status_code),
  }));
}
