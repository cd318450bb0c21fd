// The HTTP API as a Fastify app that is built, not started: tests inject() into it, and only
// server.ts listens (the fastify/demo habit). Everything comes from the composition root (ctx).
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { AppContext, AuditedRequest } from '../context.ts';
import { auditUnchangedCall, pruneAuditLog } from '../services/audit.ts';
import { ConflictError, InputError, NotFoundError, UnavailableError } from '../services/errors.ts';
import { MetaUpstreamError } from '../services/meta.ts';
import { type AuthKeys, createTokenVerifier, resolveAuthKeys } from './auth.ts';
import { ApiError, codeForStatus, type ErrorCode, errorBody, ERROR_STATUS, validationMessage } from './errors.ts';
import { createApiMetrics } from './metrics.ts';
import { redactUrl } from './redact.ts';
import { authorize } from './roles.ts';
import { applyRoutes } from './routes/apply.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { experimentRoutes } from './routes/experiments.ts';
import { healthRoutes } from './routes/health.ts';
import { historyRoutes } from './routes/history.ts';
import { recommendationRoutes } from './routes/recommendations.ts';
import { runRoutes } from './routes/run.ts';
import { segmentRoutes } from './routes/segments.ts';
import { ErrorResponse } from './schemas/common.ts';
import { Recommendation } from './schemas/recommendation.ts';
import type { ApiInstance, RouteDeps } from './types.ts';
import { validatorCompiler } from './validation.ts';

export interface BuildAppOptions {
  /** Token keys; default: from the configuration (JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL or the embedded secret). */
  keys?: AuthKeys;
  /** Node process metrics (heap, event loop lag) in /metrics; the server turns them on, tests leave them off. */
  processMetrics?: boolean;
  /** The browsable UI at /docs (the OpenAPI document at /docs/json is always there). */
  docsUi?: boolean;
}

export const API_VERSION = '1.0.0';

export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<ApiInstance> {
  const keys = options.keys ?? (await resolveAuthKeys(ctx.config.api, ctx.config.dataDir));
  const verifier = createTokenVerifier(keys, ctx.config.api, ctx.clock);
  const metrics = createApiMetrics({ processMetrics: options.processMetrics ?? false });
  const accessLog = requestLogger(ctx);

  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Fastify's two lines per request are replaced by our one access-log line (onResponse).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.api.bodyLimitBytes,
    genReqId: () => randomUUID(),
    // Request ids are ours: a client-chosen id could be forged to confuse the audit log.
    requestIdHeader: false,
    // Ids are at most 128 characters; the default 100 would turn a long id into a 404 instead of a 400.
    routerOptions: { maxParamLength: 256 },
    // Router-level failures (a malformed URL, a path parameter over 256 characters) in the one
    // error shape too, without echoing the URL.
    frameworkErrors: (error, req, reply) => {
      const [code, message] = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? (['bad_request', 'a path parameter is longer than 256 characters'] as const) : (['bad_request', 'malformed URL'] as const);
      void (reply as FastifyReply).status(ERROR_STATUS[code]).header('x-request-id', req.id).send(errorBody(code, message, req.id));
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Bodies strictly typed, query strings and path parameters converted exactly (validation.ts).
  app.setValidatorCompiler(validatorCompiler);
  // Only JSON bodies: text/plain would otherwise be accepted as a string and fail later.
  app.removeContentTypeParser('text/plain');
  app.addSchema(ErrorResponse);
  app.addSchema(Recommendation);
  app.decorateRequest('principal', null);
  app.decorateRequest('audit', null);
  app.decorateRequest('quiet', false);

  app.setErrorHandler((error: FastifyError, req, reply) => {
    const [code, message] = describeError(error);
    if (ERROR_STATUS[code] >= 500 && code !== 'not_implemented' && code !== 'service_unavailable') {
      req.log.error({ reqId: req.id, err: { message: error.message, stack: error.stack } }, 'request failed');
    }
    if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer');
    return reply.status(ERROR_STATUS[code]).send(errorBody(code, message, req.id));
  });
  app.setNotFoundHandler(async (req, reply) => {
    // A request to no route carries no token anyone checked: it counts against the address's
    // limit of unauthenticated requests, so that scanning is as bounded as guessing tokens.
    await limitUnauthenticated(req);
    return reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`, req.id));
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Meta Ads Targeting Optimizer API',
        version: API_VERSION,
        description: 'Bearer JWT (claims sub, role). Roles: admin and manager may call every /meta/targeting endpoint; viewer only the GETs; LIVE apply only META_TARGETING_LIVE_APPLY_ROLES. Errors: {error: {code, message, requestId}}.',
      },
      tags: [{ name: 'targeting', description: 'The specification\'s endpoints' }, { name: 'operations', description: 'Health, readiness, metrics' }],
      components: { securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  if (options.docsUi ?? true) {
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false }, validatorUrl: false, staticCSP: DOCS_CSP });
  } else {
    app.get('/docs/json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());
  }
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, c) => new ApiError('rate_limited', `too many requests: at most ${c.max} per minute per token on this endpoint; retry after ${c.after}`),
  });
  // Requests without a valid token (missing, malformed, wrong signature, expired) and requests to
  // no route, per client address. Over the limit the answer is a 429 that is neither logged nor
  // audited, only counted, so a flood costs the server a counter increment per request.
  const unauthenticatedLimit = app.createRateLimit({ max: ctx.config.api.authFailureLimitPerMinute, timeWindow: 60_000, keyGenerator: (req) => `unauthenticated:${req.ip}` });
  const limitUnauthenticated = async (req: FastifyRequest) => {
    const limit = await unauthenticatedLimit(req);
    if (!limit.isAllowed && limit.isExceeded) {
      req.quiet = true;
      metrics.unauthenticatedRateLimited.inc();
      throw new ApiError('rate_limited', `too many requests without a valid token from this address: at most ${limit.max} per minute; retry in ${limit.ttlInSeconds} s`);
    }
  };

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const access = req.routeOptions.config.access ?? 'public';
    if (access === 'public') return;
    const verified = await verifier.verify(req.headers.authorization);
    if (!verified.ok) {
      metrics.authFailures.inc({ reason: failureReason(verified.reason) });
      await limitUnauthenticated(req);
      req.log.info({ reqId: req.id, reason: verified.reason }, 'token refused');
      throw new ApiError('unauthorized', verified.reason === 'missing' ? 'a Bearer token is required (Authorization: Bearer <token>)' : 'invalid or expired token');
    }
    // Set before the role check, so that a refused call is audited with who made it.
    req.principal = verified.principal;
    const decision = authorize(verified.principal, access);
    if (!decision.allowed) throw new ApiError(decision.status === 401 ? 'unauthorized' : 'forbidden', decision.reason);
  });

  // The request as the audit log records it, once the body is parsed and validated. A service
  // that changes something writes the row inside its own transaction (services/audit.ts), so the
  // change and its row land together; onSend writes the row of a call that changed nothing (a
  // refused role, a validation error, a 404, a conflict).
  app.addHook('preHandler', async (req) => {
    if (isWrite(req.method) && req.principal !== null) req.audit = auditedRequest(req);
  });

  // Security headers on every answer; the documentation UI sets its own CSP (DOCS_CSP).
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!req.url.startsWith('/docs')) {
      reply.header('cache-control', 'no-store');
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
    return payload;
  });

  // Only what an authenticated principal did is audited: a request without a valid token is a
  // counter (http_auth_failures_total), not a row, so a flood cannot fill the table.
  app.addHook('onSend', async (req, reply, payload) => {
    if (!isWrite(req.method) || req.principal === null || (req.routeOptions.config.access ?? 'public') === 'public') return payload;
    const audit = req.audit ?? auditedRequest(req);
    // A service's row is in its change's transaction; an error answer means that transaction
    // rolled back (its row with it), or failed after it, so the failure gets a row of its own.
    if (audit.audited && reply.statusCode < 400) return payload;
    // A call that changed nothing: a failed write here loses the record of a refusal, not of a
    // change, so it is logged, not answered.
    await auditUnchangedCall(ctx, {
      at: ctx.clock.now(),
      requestId: audit.requestId,
      subject: req.principal.sub,
      role: req.principal.role,
      channel: 'api',
      method: audit.method,
      route: audit.route,
      params: audit.params,
      bodySummary: audit.bodySummary,
      statusCode: reply.statusCode,
    }).catch((error: unknown) => req.log.error({ reqId: req.id, err: error instanceof Error ? error.message : String(error) }, 'audit log write failed'));
    audit.audited = true;
    return payload;
  });

  // Retention, enforced here at most once an hour per process (and by the scheduler's tick), so a
  // server without the scheduler prunes too. After the response: a client never waits for it.
  let lastPrune = Number.NEGATIVE_INFINITY;
  const pruneNow = () => {
    const now = ctx.clock.now().getTime();
    if (now - lastPrune < 3_600_000) return;
    lastPrune = now;
    pruneAuditLog(ctx).catch((error: unknown) => ctx.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'audit log pruning failed'));
  };

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (req.principal !== null) pruneNow();
    // Counted, not logged, so that no unauthenticated load can grow the log without bound:
    // rate-limited requests without a valid token, and the public routes' successful answers
    // (health probes, metric scrapes, the documentation UI).
    if (req.quiet || ((req.routeOptions.config.access ?? 'public') === 'public' && reply.statusCode < 400)) return;
    accessLog.info({ reqId: req.id, method: req.method, route, url: redactUrl(req.url).slice(0, 512), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, sub: req.principal?.sub ?? null }, 'request');
  });

  const deps: RouteDeps = {
    ctx,
    metrics,
    writeRateLimit: {
      max: ctx.config.api.rateLimitPerMinute,
      timeWindow: 60_000,
      // After authentication (onRequest): the limit follows the verified token subject, not the IP.
      hook: 'preValidation',
      keyGenerator: (req) => (req.principal ? `sub:${req.principal.sub}` : `ip:${req.ip}`),
    },
  };
  healthRoutes(app, deps);
  runRoutes(app, deps);
  recommendationRoutes(app, deps);
  applyRoutes(app, deps);
  segmentRoutes(app, deps);
  historyRoutes(app, deps);
  experimentRoutes(app, deps);
  campaignRoutes(app, deps);
  return app;
}

/** The methods that can change something, and so are audited. */
function isWrite(method: string): boolean {
  return method === 'POST' || method === 'PUT';
}

function describeError(error: FastifyError): [ErrorCode, string] {
  if (error instanceof ApiError) return [error.code, error.message];
  if (error.validation) return ['bad_request', validationMessage(error.validationContext ?? 'request', error.validation as never)];
  if (error instanceof InputError) return ['bad_request', error.message];
  if (error instanceof NotFoundError) return ['not_found', error.message];
  if (error instanceof ConflictError) return ['conflict', error.message];
  if (error instanceof UnavailableError) return ['not_implemented', error.message];
  if (error instanceof MetaUpstreamError) return ['service_unavailable', error.message];
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (broken JSON, body too large, media type): their messages are
    // about the request, not the server. Bounded, since some quote the request.
    return [codeForStatus(status), error.message.slice(0, 300)];
  }
  return ['internal_error', 'internal error; the request id identifies it in the server log'];
}

// The Swagger UI at /docs loads only its own scripts and styles (no inline script, no CDN) and
// fetches the document from /docs/json; its components set inline styles, hence 'unsafe-inline'
// for styles only. validatorUrl false keeps the external validator badge off.
export const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** The failure reasons as a few metric labels (jose's error codes are many and may grow). */
function failureReason(reason: string): 'missing' | 'malformed' | 'expired' | 'invalid' {
  if (reason === 'missing') return 'missing';
  if (reason === 'not a Bearer token') return 'malformed';
  if (reason === 'ERR_JWT_EXPIRED') return 'expired';
  return 'invalid';
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

/**
 * One JSON line per request. Written whenever LOG_LEVEL is not silent (at info, or the configured
 * level when it is more verbose), because an access log that the default level "warn" hid would
 * be useless. It carries no headers at all; the redaction is a second guard.
 */
function requestLogger(ctx: AppContext) {
  const level = ctx.config.logLevel;
  const effective = level === 'silent' ? 'silent' : level === 'debug' || level === 'trace' ? level : 'info';
  return ctx.logger.child({ component: 'http' }, { level: effective, redact: { paths: ['headers.authorization', 'req.headers.authorization', 'authorization'], censor: '[redacted]' } });
}
