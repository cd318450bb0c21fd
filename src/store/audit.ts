import type { Db } from './db.ts';

/** One state-changing API call: who, what, when, and how it ended. */
export interface AuditEntry {
  at: Date;
  requestId: string;
  subject: string | null;
  role: string | null;
  method: string;
  route: string;
  params: Record<string, unknown>;
  /** A summary of the body chosen by the caller: never a token or a secret. */
  bodySummary: Record<string, unknown>;
  statusCode: number;
}

export async function insertAuditEntry(db: Db, e: AuditEntry): Promise<void> {
  await db.query(
    `insert into audit_log (at, request_id, subject, role, method, route, params, body_summary, status_code)
     values ($1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9)`,
    [e.at, e.requestId, e.subject, e.role, e.method, e.route, JSON.stringify(e.params), JSON.stringify(e.bodySummary), e.statusCode],
  );
}

/** A stored entry: the call as recorded, with its row id and time as text. */
export type AuditRow = Omit<AuditEntry, 'at'> & { id: number; at: string };

/** The latest entries first. */
export async function listAuditEntries(db: Db, limit: number): Promise<AuditRow[]> {
  const rows = await db.query<Record<string, unknown>>(
    `select id::float8 as id, at, request_id, subject, role, method, route, params, body_summary, status_code
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
    method: String(r.method),
    route: String(r.route),
    params: json(r.params),
    bodySummary: json(r.body_summary),
    statusCode: Number(r.status_code),
  }));
}
