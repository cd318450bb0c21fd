// The HTTP API as a Fastify app that is built, not started: tests inject() into it, and only
// server.ts listens (the fastify/demo habit). Everything comes from the composition root (ctx).
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyReply, LogController } from 'fastify';
import type { AppContext } from '../context.ts';
import { InputError, NotFoundError, UnavailableError } from '../services/errors.ts';
import { MetaUpstreamError } from '../services/meta.ts';
import { insertAuditEntry } from '../store/audit.ts';
import { type AuthKeys, createTokenVerifier, resolveAuthKeys } from './auth.ts';
import { ApiError, codeForStatus, type ErrorCode, errorBody, ERROR_STATUS, validationMessage } from './errors.ts';
import { createApiMetrics } from './metrics.ts';
import { authorize } from './roles.ts';
import { applyRoutes } from './routes/apply.ts';
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

  app.setErrorHandler((error: FastifyError, req, reply) => {
    const [code, message] = describeError(error);
    if (ERROR_STATUS[code] >= 500 && code !== 'not_implemented' && code !== 'service_unavailable') {
      req.log.error({ reqId: req.id, err: { message: error.message, stack: error.stack } }, 'request failed');
    }
    if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer');
    return reply.status(ERROR_STATUS[code]).send(errorBody(code, message, req.id));
  });
  app.setNotFoundHandler((req, reply) => reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`, req.id)));

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
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false } });
  } else {
    app.get('/docs/json', { schema: { hide: true }, config: { access: 'public' } }, async () => app.swagger());
  }
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_req, c) => new ApiError('rate_limited', `too many requests: at most ${c.max} per minute per token on this endpoint; retry after ${c.after}`),
  });

  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
    const access = req.routeOptions.config.access ?? 'public';
    if (access === 'public') return;
    const verified = await verifier.verify(req.headers.authorization);
    if (!verified.ok) {
      req.log.info({ reqId: req.id, reason: verified.reason }, 'token refused');
      throw new ApiError('unauthorized', verified.reason === 'missing' ? 'a Bearer token is required (Authorization: Bearer <token>)' : 'invalid or expired token');
    }
    // Set before the role check, so that a refused call is audited with who made it.
    req.principal = verified.principal;
    const decision = authorize(verified.principal, access);
    if (!decision.allowed) throw new ApiError(decision.status === 401 ? 'unauthorized' : 'forbidden', decision.reason);
  });

  // The audit row is written before the response leaves (onSend), so a client that saw the
  // answer can rely on the row being there. Refused calls (401/403/429) are audited too.
  app.addHook('onSend', async (req, reply, payload) => {
    const config = req.routeOptions.config;
    if (req.method !== 'POST' || (config.access ?? 'public') === 'public') return payload;
    try {
      await insertAuditEntry(ctx.db, {
        at: ctx.clock.now(),
        requestId: req.id,
        subject: req.principal?.sub ?? null,
        role: req.principal?.role ?? null,
        method: req.method,
        route: req.routeOptions.url ?? req.url.split('?')[0]!,
        params: summarize(req.params, null),
        bodySummary: summarize(req.body, config.auditFields ?? []),
        statusCode: reply.statusCode,
      });
    } catch (error) {
      req.log.error({ reqId: req.id, err: error instanceof Error ? error.message : String(error) }, 'audit log write failed');
    }
    return payload;
  });

  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: req.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1000);
    accessLog.info({ reqId: req.id, method: req.method, route, url: req.url.slice(0, 512), status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100, sub: req.principal?.sub ?? null }, 'request');
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
  return app;
}

function describeError(error: FastifyError): [ErrorCode, string] {
  if (error instanceof ApiError) return [error.code, error.message];
  if (error.validation) return ['bad_request', validationMessage(error.validationContext ?? 'request', error.validation as never)];
  if (error instanceof InputError) return ['bad_request', error.message];
  if (error instanceof NotFoundError) return ['not_found', error.message];
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

/** Plain values of the listed fields (all fields when null), strings cut to 128 characters. */
function summarize(value: unknown, fields: readonly string[] | null): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (fields !== null && !fields.includes(k)) continue;
    if (typeof v === 'string') out[k] = v.slice(0, 128);
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
