// An import is a change: its audit row (who, from where, how many rows) is written in the import's
// own transaction, so a failed audit write leaves nothing imported.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/context.ts';
import { importInsightsFile } from '../src/services/import-insights.ts';
import { listAuditEntries } from '../src/store/audit.ts';
import { failingOn, openTestContext, type TestContext, usingPostgres } from './helpers/db.ts';

const VALID = path.resolve(import.meta.dirname, 'fixtures/insights-valid.csv');

describe(`import audit on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let ctx: TestContext;
  const count = async (table: string) => (await ctx.db.query<{ n: number }>(`select count(*)::int as n from ${table}`))[0]!.n;
  beforeAll(async () => {
    ctx = await openTestContext();
  });
  afterAll(async () => {
    await ctx.close();
  });

  it('leaves nothing imported when its audit row cannot be written', async () => {
    const failing: AppContext = { ...ctx, db: failingOn(ctx.db, /insert into audit_log/) };
    await expect(importInsightsFile(failing, VALID)).rejects.toThrow(/injected failure/);
    expect(await count('insights')).toBe(0);
    expect(await count('audit_log')).toBe(0);
  });

  it('records who imported what, with the rows written', async () => {
    const report = await importInsightsFile(ctx, VALID);
    const [entry] = await listAuditEntries(ctx.db, 5);
    expect(entry).toMatchObject({ subject: ctx.actor.id, channel: 'cli', route: 'import', bodySummary: { source: 'csv', rows: report.imported, campaigns: report.campaigns.length } });
    expect(report.imported).toBeGreaterThan(0);
  });
});
