// One JSON access-log line and one duration sample per request. Written whenever LOG_LEVEL is not
// silent (at info, or the configured level when it is more verbose), because an access log that
// the default level "warn" hid would be useless. It carries no headers at all; the redaction is a
// second guard.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import type { AppContext } from '../../context.ts';
import type { ApiMetrics } from '../metrics.ts';
import { redactUrl } from '../redact.ts';

export interface AccessLogOptions {
  ctx: AppContext;
  metrics: ApiMetrics;
}

const accessLog: FastifyPluginAsync<AccessLogOptions> = async (app, { ctx, metrics }) => {
  const level = ctx.config.logLevel;
  const effective = level === 'silent' ? 'silent' : level === 'debug' || level === 'trace' ? level : 'info';
  const log = ctx.logger.child({ component: 'http' }, { level: effective, redact: { paths: ['headers.authorization', 'req.headers.authorization', 'authorization'], censor: '[redacted]' } });
  app.decorateRequest('quiet', false);

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    // Counted, not logged, so that no unauthenticated load can grow the log without bound:
    // rate-limited requests without a valid token, and the public routes' successful answers
    // (health probes, metric scrapes, the documentation UI).
    if (req.quiet || ((req.routeOptions.config.access ?? 'public') === 'public' && reply.statusCode < 400)) return;
    log.info({ reqId: req.id, method: req.method, route, url: redactUrl(req.url).slice(0, 512), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, sub: req.principal?.sub ?? null }, 'request');
  });
};

export default fp(accessLog, { name: 'access-log' });
