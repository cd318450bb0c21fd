// The HTTP API as a Fastify app that is built, not started: tests inject() into it, and only
// server.ts listens (the fastify/demo habit). Everything comes from the composition root (ctx).
import { randomUUID } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyReply, LogController } from 'fastify';
import type { AppContext } from '../context.ts';
import { createTokenVerifier } from './auth.ts';
import { type AuthKeys, resolveAuthKeys } from '../services/tokens.ts';
import { ApiError, errorBody, ERROR_STATUS } from './errors.ts';
import { createApiMetrics } from './metrics.ts';
import accessLog from './plugins/access-log.ts';
import audit from './plugins/audit.ts';
import authentication from './plugins/authentication.ts';
import errorShape from './plugins/error-shape.ts';
import securityHeaders from './plugins/security-headers.ts';
import { applyRoutes } from './routes/apply.ts';
import { proposalRoutes } from './routes/proposals.ts';
import { guardrailRoutes } from './routes/guardrails.ts';
import { campaignRoutes } from './routes/campaigns.ts';
import { experimentRoutes } from './routes/experiments.ts';
import { healthRoutes } from './routes/health.ts';
import { historyRoutes } from './routes/history.ts';
import { rollbackRoutes } from './routes/rollback.ts';
import { recommendationRoutes } from './routes/recommendations.ts';
import { runRoutes } from './routes/run.ts';
import { segmentRoutes } from './routes/segments.ts';
import { backtestRoutes } from './routes/backtest.ts';
import { dashboardReadRoutes } from './routes/dashboard-reads.ts';
import { importRoutes } from './routes/imports.ts';
import { sessionRoutes } from './routes/session.ts';
import { webRoutes } from './routes/web.ts';
import { loadWebAssets, type WebAsset } from './web-assets.ts';
import { ErrorResponse } from './schemas/common.ts';
// The document's one schema (src/presentation), registered under its $id 'Recommendation'.
import { RecommendationDocument } from '../presentation/recommendation-document.ts';
import type { ApiInstance, RouteDeps } from './types.ts';
import { validatorCompiler } from './validation.ts';

export interface BuildAppOptions {
  /** Token keys; default: from the configuration (JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL or the embedded secret). */
  keys?: AuthKeys;
  /** Node process metrics (heap, event loop lag) in /metrics; the server turns them on, tests leave them off. */
  processMetrics?: boolean;
  /** The browsable UI at /docs (the OpenAPI document at /docs/json is always there). */
  docsUi?: boolean;
  /** The built dashboard served at / (default: web/dist; null: none, / answers how to build it). */
  webAssets?: WebAsset[] | null;
}

export const API_VERSION = '1.0.0';

export async function buildApp(ctx: AppContext, options: BuildAppOptions = {}): Promise<ApiInstance> {
  const keys = options.keys ?? (await resolveAuthKeys(ctx.config.api, ctx.config.dataDir));
  const verifier = createTokenVerifier(keys, ctx.config.api, ctx.clock);
  const metrics = createApiMetrics({ processMetrics: options.processMetrics ?? false });

  const app = Fastify({
    loggerInstance: ctx.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Fastify's two lines per request are replaced by our one access-log line (onResponse).
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: ctx.config.api.bodyLimitBytes,
    trustProxy: trustProxyOption(ctx.config.api.trustProxy),
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
  app.addSchema(RecommendationDocument);
  // The one error shape for every failure (plugins/error-shape.ts).
  await app.register(errorShape);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Meta Ads Targeting Optimizer API',
        version: API_VERSION,
        description: 'Bearer JWT (claims sub, role). Roles: admin and manager may call every /meta/targeting endpoint; viewer only the GETs; LIVE apply only META_TARGETING_LIVE_APPLY_ROLES. Errors: {error: {code, message, requestId}}.',
      },
      tags: [{ name: 'targeting', description: 'The specification\'s endpoints' }, { name: 'approval', description: 'The approval step: proposals, approvals, rejections' }, { name: 'operations', description: 'Health, readiness, metrics' }],
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
  // Cross-cutting concerns, one plugin each; registration order is hook order (onSend: the
  // security headers, then the audit row).
  await app.register(accessLog, { ctx, metrics });
  await app.register(authentication, { verifier, metrics, unauthenticatedPerMinute: ctx.config.api.authFailureLimitPerMinute });
  await app.register(securityHeaders);
  await app.register(audit, { ctx });

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
  proposalRoutes(app, deps);
  guardrailRoutes(app, deps);
  segmentRoutes(app, deps);
  historyRoutes(app, deps);
  rollbackRoutes(app, deps);
  experimentRoutes(app, deps);
  campaignRoutes(app, deps);
  dashboardReadRoutes(app, deps);
  importRoutes(app, deps);
  backtestRoutes(app, deps);
  sessionRoutes(app, deps, keys);
  webRoutes(app, options.webAssets === undefined ? loadWebAssets() : options.webAssets);
  return app;
}

// The Swagger UI at /docs loads only its own scripts and styles (no inline script, no CDN) and
// fetches the document from /docs/json; its components set inline styles, hence 'unsafe-inline'
// for styles only. validatorUrl false keeps the external validator badge off.
export const DOCS_CSP = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/** A hop count as the function proxy-addr makes of one (Fastify's types accept no number): the first `hops` peers are proxies. */
function trustProxyOption(trust: false | number | string[]): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust;
}
