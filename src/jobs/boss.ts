// pg-boss on the app's own database, so the embedded default and PostgreSQL share one job model:
// PGlite through pg-boss's adapter on the very instance the store uses (PGlite is one process,
// one connection: a second instance on the same folder would corrupt it), PostgreSQL through
// pg-boss's own pool on the same URL. Its tables live in a schema of their own.
import { fromPglite, PgBoss, type ConstructorOptions } from 'pg-boss';
import type { Config } from '../config.ts';
import type { AppContext } from '../context.ts';
import { assertSchemaName } from '../store/db.ts';

export interface BossOptions {
  /** Schema of pg-boss's tables. Default: jobSchemaFor(config). Tests give each file its own. */
  schema?: string;
  /** PostgreSQL URL when the Db is PostgreSQL. Default: DATABASE_URL (tests pass TEST_DATABASE_URL). */
  databaseUrl?: string | null;
  /** Whether this instance runs pg-boss's cron pass (the schedule's ticks). Default true. */
  schedule?: boolean;
}

/** `pgboss`, or `<DATABASE_SCHEMA>_pgboss` so two deployments on one database keep their queues apart. */
export function jobSchemaFor(config: Pick<Config, 'databaseSchema'>): string {
  return config.databaseSchema ? `${config.databaseSchema}_pgboss` : 'pgboss';
}

/** A PgBoss (not started) on the context's database; its errors go to the context's logger. */
export function createBoss(ctx: AppContext, options: BossOptions = {}): PgBoss {
  const schema = assertSchemaName(options.schema ?? jobSchemaFor(ctx.config));
  // useListenNotify: workers on the (notify-enabled) queues wake when a job is created; polling
  // stays as the floor. On PostgreSQL it holds one more connection per process.
  const common: ConstructorOptions = { schema, schedule: options.schedule ?? true, useListenNotify: true, instanceName: `targeting-optimizer:${process.pid}` };
  let boss: PgBoss;
  if (ctx.db.kind === 'pglite') {
    if (!ctx.db.pglite) throw new Error('the PGlite database does not expose its instance, which pg-boss needs');
    boss = new PgBoss({ ...common, db: fromPglite(ctx.db.pglite), backend: 'pglite' });
  } else {
    const url = options.databaseUrl ?? ctx.config.databaseUrl;
    if (!url) throw new Error('pg-boss needs the PostgreSQL URL of the database (DATABASE_URL)');
    // 4 connections: fetches, completions and the cron pass of one process; the runs themselves
    // use the store's pool, so more would only idle.
    boss = new PgBoss({ ...common, connectionString: url, max: 4 });
  }
  // An unhandled 'error' event would crash the process; pg-boss reports and carries on.
  boss.on('error', (error: unknown) => ctx.logger.error({ err: error instanceof Error ? error.message : String(error) }, 'job queue error'));
  return boss;
}
