// What the outlets need to know about the database itself: readiness (the schema version applied
// and the one this build needs), the kind of data it holds, and the pieces the CLI's composition
// needs to run a command without one.
import type { AppContext } from '../context.ts';
import { storeKind as storeKindOfDb, type StoreKind } from '../store/data-sources.ts';
import { listMigrations } from '../store/migrate.ts';

export { noDatabase } from '../store/db.ts';
export { DatabaseInUseError } from '../store/pglite.ts';
export type { StoreKind };

/** The newest migration this build ships (0 when none). */
export function requiredSchemaVersion(): number {
  return Math.max(0, ...listMigrations().map((m) => m.version));
}

/** The newest migration applied to the database; throws the driver's error when it does not answer. */
export async function appliedSchemaVersion(ctx: AppContext): Promise<number> {
  const rows = await ctx.db.query<{ v: number | null }>('select max(version)::int as v from schema_migrations');
  return Number(rows[0]?.v ?? 0);
}

/** Empty, demo (synthetic STUB data only) or real (imported or LIVE data). */
export function storeKind(ctx: AppContext): Promise<StoreKind> {
  return storeKindOfDb(ctx.db);
}
