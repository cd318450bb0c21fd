// Bearer tokens and roles on every route that is not public (the route's config.access), and the
// per-address limit on requests without a valid token, which requests to no route count against too.
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { TokenVerifier } from '../auth.ts';
import { ApiError, errorBody } from '../errors.ts';
import type { ApiMetrics } from '../metrics.ts';
import { authorize } from '../roles.ts';

export interface AuthenticationOptions {
  verifier: TokenVerifier;
  metrics: ApiMetrics;
  /** Requests without a valid token (and to no route) per client address and minute. */
  unauthenticatedPerMinute: number;
}

const authentication: FastifyPluginAsync<AuthenticationOptions> = async (app, { verifier, metrics, unauthenticatedPerMinute }) => {
  app.decorateRequest('principal', null);

  // Over the limit the answer is a 429 that is neither logged nor audited, only counted, so a
  // flood costs the server a counter increment per request.
  const unauthenticatedLimit = app.createRateLimit({ max: unauthenticatedPerMinute, timeWindow: 60_000, keyGenerator: (req) => `unauthenticated:${req.ip}` });
  const limitUnauthenticated = async (req: FastifyRequest) => {
    const limit = await unauthenticatedLimit(req);
    if (!limit.isAllowed && limit.isExceeded) {
      req.quiet = true;
      metrics.unauthenticatedRateLimited.inc();
      throw new ApiError('rate_limited', `too many requests without a valid token from this address: at most ${limit.max} per minute; retry in ${limit.ttlInSeconds} s`);
    }
  };

  app.setNotFoundHandler(async (req, reply) => {
    // A request to no route carries no token anyone checked: it counts against the address's
    // limit of unauthenticated requests, so that scanning is as bounded as guessing tokens.
    await limitUnauthenticated(req);
    return reply.status(404).send(errorBody('not_found', `no route ${req.method} ${req.url.split('?')[0]!.slice(0, 200)}`, req.id));
  });

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
};

export default fp(authentication, { name: 'authentication', dependencies: ['@fastify/rate-limit', 'access-log'] });

/** The failure reasons as a few metric labels (jose's error codes are many and may grow). */
function failureReason(reason: string): 'missing' | 'malformed' | 'expired' | 'invalid' {
  if (reason === 'missing') return 'missing';
  if (reason === 'not a Bearer token') return 'malformed';
  if (reason === 'ERR_JWT_EXPIRED') return 'expired';
  return 'invalid';
}
