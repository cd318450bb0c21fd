import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest as Request, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { AppContext, AuditedRequest } from '../context.ts';
import type { ApiMetrics } from './metrics.ts';
import type { Access, Principal } from './roles.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Who may call the route (roles.ts); routes without it are public. */
    access?: Access;
    /** Body fields copied into the audit log of a POST (never a token or a secret). */
    auditFields?: readonly string[];
    /** One of the dashboard's files: the dashboard's CSP and the route's own caching headers. */
    web?: boolean;
  }
  interface FastifyRequest {
    /** The verified caller; null on public routes. */
    principal: Principal | null;
    /** The audit record of an authenticated POST (set before the handler). */
    audit: AuditedRequest | null;
    /** Answered without an access-log line (a rate-limited request without a valid token). */
    quiet: boolean;
  }
}

export type ApiInstance = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** What every route module is given: the composition root and the app's metrics. */
export interface RouteDeps {
  ctx: AppContext;
  metrics: ApiMetrics;
  /** @fastify/rate-limit route config for the state-changing endpoints (run, apply). */
  writeRateLimit: { max: number; timeWindow: number; hook: 'preValidation'; keyGenerator: (req: { principal: Principal | null; ip: string }) => string };
}

export const BEARER = [{ bearerAuth: [] as string[] }];

/** The context a handler passes to services: the caller as actor, and the request to audit inside the change's transaction. */
export function requestContext(ctx: AppContext, req: Request): AppContext {
  const p = req.principal;
  return { ...ctx, actor: p === null ? ctx.actor : { id: p.sub, role: p.role, channel: 'api' }, request: req.audit };
}
