// The audit trail of the API. Only what an authenticated principal did is audited: a request
// without a valid token is a counter (http_auth_failures_total), not a row, so a flood cannot fill
// the table. A service that changes something writes the row inside its own transaction
// (services/audit.ts), so the change and its row land together; this plugin writes the row of a
// call that changed nothing (a refused role, a validation error, a 404, a conflict).
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AppContext, AuditedRequest } from '../../context.ts';
import { auditUnchangedCall, pruneAuditLog } from '../../services/audit.ts';

export interface AuditOptions {
  ctx: AppContext;
}

const audit: FastifyPluginAsync<AuditOptions> = async (app, { ctx }) => {
  app.decorateRequest('audit', null);

  // The request as the audit log records it, once the body is parsed and validated.
  app.addHook('preHandler', async (req) => {
    if (isWrite(req.method) && req.principal !== null) req.audit = auditedRequest(req);
  });

  app.addHook('onSend', async (req, reply, payload) => {
    if (!isWrite(req.method) || req.principal === null || (req.routeOptions.config.access ?? 'public') === 'public') return payload;
    const audited = req.audit ?? auditedRequest(req);
    // A service's row is in its change's transaction; an error answer means that transaction
    // rolled back (its row with it), or failed after it, so the failure gets a row of its own.
    if (audited.audited && reply.statusCode < 400) return payload;
    // A call that changed nothing: a failed write here loses the record of a refusal, not of a
    // change, so it is logged, not answered.
    await auditUnchangedCall(ctx, {
      at: ctx.clock.now(),
      requestId: audited.requestId,
      subject: req.principal.sub,
      role: req.principal.role,
      channel: 'api',
      method: audited.method,
      route: audited.route,
      params: audited.params,
      bodySummary: audited.bodySummary,
      statusCode: reply.statusCode,
    }).catch((error: unknown) => req.log.error({ reqId: req.id, err: error instanceof Error ? error.message : String(error) }, 'audit log write failed'));
    audited.audited = true;
    return payload;
  });

  // Retention, enforced here at most once an hour per process (and by the scheduler's tick), so a
  // server without the scheduler prunes too. After the response: a client never waits for it.
  let lastPrune = Number.NEGATIVE_INFINITY;
  app.addHook('onResponse', async (req) => {
    if (req.principal === null) return;
    const now = ctx.clock.now().getTime();
    if (now - lastPrune < 3_600_000) return;
    lastPrune = now;
    pruneAuditLog(ctx).catch((error: unknown) => ctx.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'audit log pruning failed'));
  });
};

export default fp(audit, { name: 'audit', dependencies: ['authentication'] });

/** The methods that can change something, and so are audited. */
function isWrite(method: string): boolean {
  return method === 'POST' || method === 'PUT';
}

function auditedRequest(req: FastifyRequest): AuditedRequest {
  return {
    requestId: req.id,
    method: req.method,
    route: req.routeOptions.url ?? req.url.split('?')[0]!,
    params: summarize(req.params, null),
    bodySummary: summarize(req.body, req.routeOptions.config.auditFields ?? []),
    audited: false,
  };
}

/** Plain values of the listed fields (all fields when null), strings cut to 128 characters. */
function summarize(value: unknown, fields: readonly string[] | null): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (fields !== null && !fields.includes(k)) continue;
    // Control characters out: jsonb cannot hold \u0000, and a log reader should not meet the others.
    // eslint-disable-next-line no-control-regex
    if (typeof v === 'string') out[k] = v.slice(0, 128).replace(/[\u0000-\u001f\u007f]/g, '\ufffd');
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[k] = v;
  }
  return out;
}
