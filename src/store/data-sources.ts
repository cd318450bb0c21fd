import type { Db } from './db.ts';

/**
 * What the store holds, from the data_sources marker (migration 010): empty (nothing ever
 * written), demo (only synthetic STUB rows) or real (rows from any other source: an import, Meta).
 */
export type StoreKind = 'empty' | 'demo' | 'real';

export const STUB_SOURCE = 'stub';

export async function dataSources(db: Db): Promise<string[]> {
  const rows = await db.query<{ source: string }>('select source from data_sources order by source');
  return rows.map((r) => r.source);
}

export function storeKindOf(sources: readonly string[]): StoreKind {
  if (sources.length === 0) return 'empty';
  return sources.every((s) => s === STUB_SOURCE) ? 'demo' : 'real';
}

export async function storeKind(db: Db): Promise<StoreKind> {
  return storeKindOf(await dataSources(db));
}
