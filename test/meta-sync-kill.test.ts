// A `meta sync` process killed with SIGKILL part-way (while reading Meta, and while writing) leaves
// no half-written day in the embedded database: every stored day of a campaign has all its rows of
// both breakdowns (and its credited segment rows) or none, and the next sync completes the store.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountToday } from '../src/meta/account-day.ts';
import { FakeGraphApi } from '../src/meta/fake-graph-api.ts';
import { addDays } from '../src/services/dates.ts';
import { openDatabase } from '../src/store/open.ts';
import { usingPostgres } from './helpers/db.ts';
import { TOKEN } from './helpers/meta-harness.ts';

type DayCounts = Map<string, string>;

/** Per campaign and day: "country rows / age×gender rows / credited segment rows". */
async function storedDays(dataDir: string): Promise<DayCounts> {
  const db = await openDatabase({ databaseUrl: null, dataDir });
  try {
    const rows = await db.query<{ campaign_id: string; d: string; c: number; g: number; s: number }>(
      `select campaign_id, to_char(date, 'YYYY-MM-DD') as d,
         count(*) filter (where country <> '')::int as c,
         count(*) filter (where segment_type = 'demographic')::int as g,
         count(*) filter (where segment_type in ('interest', 'behavior', 'custom_audience', 'lookalike'))::int as s
       from insights group by 1, 2 order by 1, 2`,
    );
    return new Map(rows.map((r) => [`${r.campaign_id} ${r.d}`, `${r.c}/${r.g}/${r.s}`]));
  } finally {
    await db.close();
  }
}

describe.skipIf(usingPostgres)('a killed meta sync (embedded database)', () => {
  // The child process runs on the real clock: the fake's last day is yesterday in the account's zone.
  const end = addDays(accountToday(new Date(), 'Europe/Madrid', null).today, -1);
  const days = 30;
  const dir = mkdtempSync(path.join(tmpdir(), 'targeting-kill-'));
  let fake: FakeGraphApi;
  let origin: string;
  beforeAll(async () => {
    // Small pages: many requests, as a real account's sync makes. Its asynchronous reports are ready
    // at the first poll, so no sync waits out Meta's poll interval: this test is about the write.
    fake = new FakeGraphApi({ accessToken: TOKEN, endDate: end, campaigns: 3, adsetsPerCampaign: 4, days: 40, pageSize: 100, asyncPolls: 0 });
    origin = await fake.listen();
  });
  afterAll(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Runs `meta sync --days 30` in its own process; `killWhen` decides, from its log and the fake's requests, when to SIGKILL it. */
  async function sync(killWhen: ((log: string) => boolean) | null, killDelayMs = 0): Promise<{ killed: boolean; code: number | null; log: string }> {
    const child = spawn(process.execPath, [path.resolve('bin/targeting-optimizer.ts'), 'meta', 'sync', '--days', String(days)], {
      env: { ...process.env, DATA_DIR: dir, DATABASE_URL: '', LOG_LEVEL: 'info', META_GRAPH_URL: origin, META_AD_ACCOUNT_ID: fake.adAccountId, META_ACCESS_TOKEN: TOKEN },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const t0 = Date.now();
    let log = '';
    child.stderr.on('data', (c: Buffer) => (log += c.toString()));
    const exit = once(child, 'exit');
    let killed = false;
    if (killWhen !== null) {
      const deadline = Date.now() + 90_000;
      while (child.exitCode === null && !killWhen(log)) {
        if (Date.now() > deadline) throw new Error(`the sync never reached the point to stop it:\n${log}`);
        await sleep(5);
      }
      if (child.exitCode === null) {
        if (killDelayMs > 0) await sleep(killDelayMs);
        killed = child.kill('SIGKILL');
      }
    }
    const [code] = await exit;
    if (process.env.KILL_TEST_TIMES) process.stderr.write(`sync ${killed ? 'killed' : 'finished'} after ${Date.now() - t0} ms\n`);
    return { killed, code: code as number | null, log };
  }

  it('leaves every stored day complete or absent, and the next sync completes the store', async () => {
    // 1. The first sync of an empty store, killed while it writes.
    const first = await sync((log) => /writing it in one transaction/.test(log), 50);
    const afterKill = await storedDays(dir);

    // 2. A sync left to finish: the reference, checked against the fake's delivery.
    const complete = await sync(null);
    expect(complete.code, complete.log).toBe(0);
    const reference = await storedDays(dir);
    expect(reference.size).toBe(3 * days);
    const countryRows = new Map<string, number>();
    for (const r of fake.market.rows()) if (r.country !== '' && r.impressions > 0) countryRows.set(`${r.campaignId} ${r.date}`, (countryRows.get(`${r.campaignId} ${r.date}`) ?? 0) + 1);
    for (const c of fake.market.campaigns) {
      for (let d = 0; d < days; d++) {
        const key = `${c.campaignId} ${addDays(end, -d)}`;
        const [storedCountry, storedDemographic, storedSegments] = reference.get(key)!.split('/').map(Number);
        expect(storedCountry).toBe(countryRows.get(key));
        expect(storedDemographic).toBeGreaterThan(0);
        expect(storedSegments).toBeGreaterThan(0);
      }
    }
    // What the killed first sync left: whole days or none (one transaction: in fact none, unless it committed before the kill).
    for (const [key, counts] of afterKill) expect(counts, `${key} after the first sync was killed (killed: ${first.killed})`).toBe(reference.get(key));
    if (first.killed) expect(afterKill.size === 0 || afterKill.size === reference.size).toBe(true);

    // 3. A re-read of the same days (each day deleted and written again), killed while it writes:
    //    the days stay as they were, whole.
    const again = await sync((log) => /writing it in one transaction/.test(log), 150);
    expect(await storedDays(dir), `killed: ${again.killed}`).toEqual(reference);
  }, 400_000);
});
