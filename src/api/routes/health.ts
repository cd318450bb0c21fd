import { Type } from 'typebox';
import { appliedSchemaVersion, requiredSchemaVersion } from '../../services/database.ts';
import { ApiError } from '../errors.ts';
import type { ApiInstance, RouteDeps } from '../types.ts';

export function healthRoutes(app: ApiInstance, { ctx, metrics }: RouteDeps): void {
  const latestMigration = requiredSchemaVersion();

  app.get(
    '/health',
    { schema: { tags: ['operations'], summary: 'Liveness: the process answers', response: { 200: Type.Object({ status: Type.Literal('ok') }) } }, config: { access: 'public' } },
    async () => ({ status: 'ok' as const }),
  );

  app.get(
    '/ready',
    {
      schema: {
        tags: ['operations'],
        summary: 'Readiness: the database answers and every migration is applied',
        response: { 200: Type.Object({ status: Type.Literal('ready'), database: Type.String(), schema_version: Type.Integer() }), 503: Type.Ref('ErrorResponse') },
      },
      config: { access: 'public' },
    },
    async () => {
      let version: number;
      try {
        version = await appliedSchemaVersion(ctx);
      } catch (error) {
        // The driver's message may hold host names or user names: logged, never answered.
        ctx.logger.warn({ err: error instanceof Error ? error.message : String(error) }, 'readiness check: database unreachable');
        throw new ApiError('service_unavailable', 'database unreachable');
      }
      if (version < latestMigration) throw new ApiError('service_unavailable', `database schema at version ${version}, this build needs ${latestMigration}: migrations pending`);
      return { status: 'ready' as const, database: ctx.db.kind, schema_version: version };
    },
  );

  app.get(
    '/metrics',
    { schema: { tags: ['operations'], summary: 'Prometheus metrics (text exposition format)', produces: ['text/plain'] }, config: { access: 'public' } },
    async (_req, reply) => {
      reply.type(metrics.registry.contentType);
      return metrics.registry.metrics();
    },
  );
}
