// The audit trail of changes. A service that changes something calls auditChange inside the
// change's own transaction, so the row and the change land together or not at all, whoever
// acted: an API request (its route, parameters and body summary), the CLI or the scheduler.
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { type AuditEntry, deleteAuditEntriesBefore, insertAuditEntry } from '../store/audit.ts';
import type { Db } from '../store/db.ts';

export interface AuditedAction {
  /** The command or job (cli, scheduler rows): run, apply, experiment, stub generate. */
  action: string;
  /** What the call did, beside its request (the outcome, the ids it made): plain values, never a secret. */
  summary: Record<string, string | number | boolean | null>;
}

export async function auditChange(tx: Db, ctx: AppContext, what: AuditedAction): Promise<void> {
  const r = ctx.request ?? null;
  await insertAuditEntry(tx, {
    at: ctx.clock.now(),
    requestId: r?.requestId ?? randomUUID(),
    subject: ctx.actor.id,
    role: ctx.actor.role,
    channel: ctx.actor.channel,
    method: r?.method ?? (ctx.actor.channel === 'cli' ? 'CLI' : 'JOB'),
    route: r?.route ?? what.action,
    params: r?.params ?? {},
    bodySummary: { ...(r?.bodySummary ?? {}), ...what.summary },
    statusCode: r === null ? 0 : 200,
  });
  if (r !== null) r.audited = true;
}

/**
 * The row of a call that changed nothing (a refused role, a validation error, a 404, a conflict):
 * outside any transaction, since there is no change for it to land with.
 */
export async function auditUnchangedCall(ctx: AppContext, entry: AuditEntry): Promise<void> {
  await insertAuditEntry(ctx.db, entry);
}

/**
 * Deletes audit rows older than AUDIT_LOG_RETENTION_DAYS (0: keep everything). Called by the
 * scheduler's tick and, at most once an hour, by the API after a request.
 */
export async function pruneAuditLog(ctx: AppContext): Promise<number> {
  const days = ctx.config.auditRetentionDays;
  if (days === 0) return 0;
  const removed = await deleteAuditEntriesBefore(ctx.db, new Date(ctx.clock.now().getTime() - days * 86_400_000));
  if (removed > 0) ctx.logger.info({ removed, retentionDays: days }, 'audit log pruned');
  return removed;
}
