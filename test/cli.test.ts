import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { openTestDb, usingPostgres } from './helpers/db.ts';
import type { Db } from '../src/store/db.ts';
import { insertTargetingChange } from '../src/store/history.ts';

const cli = (db: Db, argv: string[], env: Record<string, string> = {}) => runCli(argv, { db }, env);

describe(`CLI in-process on ${usingPostgres ? 'PostgreSQL' : 'PGlite'}`, () => {
  let db: Db;
  beforeAll(async () => {
    db = await openTestDb();
  });
  afterAll(async () => {
    await db.close();
  });

  it('generate, run, recommendation, segments and history print pure JSON on stdout with --json', async () => {
    const gen = await cli(db, ['stub', 'generate', '--campaigns', '2', '--days', '20', '--seed', '42', '--end-date', '2026-11-20', '--json']);
    expect(gen.code).toBe(0);
    const generated = JSON.parse(gen.stdout) as { campaigns: { campaign_id: string }[]; rows: number };
    expect(generated.campaigns).toHaveLength(2);
    const id = generated.campaigns[0]!.campaign_id;
    expect(id).toMatch(/^\d+$/);

    const run = await cli(db, ['run', '--campaign', id, '--budget', '1000', '--mode', 'stub', '--json']);
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as { run_id: string; status: string; campaign_ids: string[]; recommendations_count: number; duration_ms: number; message: string };
    expect(doc).toMatchObject({ status: 'completed', campaign_ids: [id] });
    expect(doc.message).toBe(`Generated ${doc.recommendations_count} recommendations in ${doc.duration_ms}ms`);

    const rec = await cli(db, ['recommendation', id, '--json']);
    expect(rec.code).toBe(0);
    const recs = JSON.parse(rec.stdout) as { run_id: string; campaign_id: string }[] | { run_id: string };
    const list = Array.isArray(recs) ? recs : [recs];
    expect(list.every((r) => r.run_id === doc.run_id)).toBe(true);

    const seg = await cli(db, ['segments', '--type', 'interest', '--limit', '5', '--json']);
    expect(seg.code).toBe(0);
    const segments = JSON.parse(seg.stdout) as { segment_type: string; is_fatigued: boolean }[];
    expect(segments).toHaveLength(5);
    expect(segments.every((s) => s.segment_type === 'interest')).toBe(true);

    const hist = await cli(db, ['history', '--campaign', id, '--json']);
    expect(hist.code).toBe(0);
    expect(JSON.parse(hist.stdout)).toEqual([]);

    const human = await cli(db, ['recommendation', id]);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('expected CTR');
    // Each ad set's split reads as a ranking: the largest amount first.
    const splits = human.stdout.split('\n').filter((l) => l.startsWith('  budget '));
    expect(splits.length).toBeGreaterThan(0);
    for (const line of splits) {
      const amounts = [...line.split(': ')[1]!.matchAll(/[A-Z]{2} €([\d,.]+)/g)].map((m) => Number(m[1]!.replace(/,/g, '')));
      expect(amounts.length).toBeGreaterThan(1);
      expect(amounts).toEqual([...amounts].sort((a, b) => b - a));
    }
  });

  it('answers bad input with exit code 2 and a message naming the problem, on stderr only', async () => {
    const cases: [string[], RegExp][] = [
      [['run', '--campaign', 'x', '--budget', 'lots'], /budget/],
      [['run', '--budget', '10'], /campaign/],
      [['run', '--campaign', 'x', '--budget', '10', '--mode', 'live'], /LIVE mode/],
      [['run', '--campaign', 'x', '--budget', '10', '--mode', 'turbo'], /mode/],
      [['run', '--campaign', 'x', '--budget', '10', '--colour', 'red'], /colour/],
      [['segments', '--limit', '0'], /--limit/],
      [['segments', '--limit', '501'], /--limit/],
      [['segments', '--type', 'hobby'], /--type/],
      [['recommendation', 'nobody-ran-me'], /no recommendation stored/],
      [['import', 'missing.csv'], /does not exist/],
      [['history', '--campaign', ''], /--campaign: must not be empty/],
      [['history', '--adset', ' '], /--adset: must not be empty/],
      [['backtest', '--days', '2', '--market-seed', '9'.repeat(300)], /--out: the file name "backtest-9{31}….json" is longer than the 255 bytes/],
      [['frobnicate'], /unknown command/],
      // In-process, main has no HTTP outlet: only the composition root (bin) hands one in.
      [['serve'], /no HTTP API/],
    ];
    for (const [argv, message] of cases) {
      const r = await cli(db, argv);
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
  });

  it('stub generate: an end date that is no calendar day, or empty, is bad input naming --end-date; a long seed is kept as typed', async () => {
    for (const endDate of ['2026-02-30', '2026-04-31', '']) {
      const r = await cli(db, ['stub', 'generate', '--campaigns', '1', '--days', '3', '--end-date', endDate]);
      expect(r.code, endDate).toBe(2);
      expect(r.stderr).toContain(`end-date: must be a real calendar date written YYYY-MM-DD from 2000 on, got ${JSON.stringify(endDate)}`);
      expect(r.stderr).not.toMatch(/command failed/);
    }
    // Past 2^53 two seeds were one double (and 400 digits were Infinity, an unexpected failure).
    const seeds = ['12345678901234567891', '9'.repeat(400)];
    for (const seed of seeds) {
      const r = await cli(db, ['stub', 'generate', '--campaigns', '1', '--days', '2', '--seed', seed, '--end-date', '2026-11-20', '--json']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect((JSON.parse(r.stdout) as { seed: unknown }).seed).toBe(seed);
    }
  });

  it('history: the text says what --json says of each change (its id, pending, a holdout, a rollback), never a pending one as failed', async () => {
    const at = new Date('2026-11-20T08:00:00Z');
    const base = { run_id: null, recommendation_id: null, campaign_id: 'hist-1', mode: 'live' as const, dry_run: false, applied_at: at, old_targeting: null, new_targeting: {}, before_ctr: null, before_cvr: null, before_roas: null, after_ctr: null, after_cvr: null, after_roas: null, error_message: null, actor: 'me' };
    const applied = await insertTargetingChange(db, { ...base, adset_id: 'a1', success: true });
    const pending = await insertTargetingChange(db, { ...base, adset_id: 'a2', success: false, state: 'pending' });
    const failed = await insertTargetingChange(db, { ...base, adset_id: 'a3', success: false, error_message: 'Meta said no' });
    const rollback = await insertTargetingChange(db, { ...base, adset_id: 'a1', success: true, rolls_back_history_id: applied });
    const text = await cli(db, ['history', '--campaign', 'hist-1']);
    expect(text.code).toBe(0);
    const line = (id: number) => text.stdout.split('\n').find((l) => l.startsWith(`#${id} `))!;
    expect(line(applied)).toMatch(/ ok {2}by me$/);
    expect(line(pending)).toMatch(/ PENDING \(recorded, not settled yet\) {2}by me$/);
    expect(line(failed)).toMatch(/ FAILED: Meta said no {2}by me$/);
    expect(line(rollback)).toMatch(new RegExp(` ok, rollback of #${applied} {2}by me$`));
    expect(text.stdout).not.toMatch(/FAILED: null/);
  });

  it('stops on a bad configuration value, naming the variable', async () => {
    const r = await cli(db, ['segments'], { TARGETING_SPAIN_MIN_PCT: '135', TARGETING_MAX_INTERESTS: 'many' });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TARGETING_SPAIN_MIN_PCT');
    expect(r.stderr).toContain('TARGETING_MAX_INTERESTS');
  });
});

// The real binary, as a user runs it, on the embedded default (a fresh PGlite folder).
describe.skipIf(usingPostgres)('CLI binary on the embedded database', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'targeting-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const bin = path.resolve('bin/targeting-optimizer.ts');
  const run = (args: string[]) =>
    promisify(execFile)(process.execPath, [bin, ...args], { env: { ...process.env, DATA_DIR: dir, LOG_LEVEL: 'silent', TEST_DATABASE_URL: '' } });

  it('runs a campaign in STUB mode and reads the stored recommendation back', async () => {
    const first = await run(['run', '--campaign', '123456789', '--budget', '1000', '--mode', 'stub', '--generate-stub', '--json']);
    const doc = JSON.parse(first.stdout) as { status: string; generated_history: boolean; run_id: string };
    expect(doc.status).toBe('completed');
    expect(doc.generated_history).toBe(true);
    const again = await run(['recommendation', '123456789', '--json']);
    const recs = JSON.parse(again.stdout) as { run_id: string } | { run_id: string }[];
    expect((Array.isArray(recs) ? recs : [recs])[0]!.run_id).toBe(doc.run_id);
  });
});

describe('stub generate --family', () => {
  it('generates a market family and rejects an unknown one with exit 2 naming the field', async () => {
    const db = await openTestDb();
    try {
      const bad = await cli(db, ['stub', 'generate', '--campaigns', '1', '--days', '3', '--family', 'cheap', '--json']);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--family must be one of stub, conversion-saturation/);
      const badAxis = await cli(db, ['stub', 'generate', '--campaigns', '1', '--days', '3', '--family', 'conversion/union/huge']);
      expect(badAxis.code).toBe(2);
      expect(badAxis.stderr).toMatch(/--family: sizes must be one of independent, smaller-better, larger-better, got "huge"/);
      const gen = await cli(db, ['stub', 'generate', '--campaigns', '1', '--days', '3', '--seed', 'families', '--end-date', '2026-11-20', '--family', 'shared-adsets']);
      expect(gen.code).toBe(0);
      expect(gen.stdout).toMatch(/market family shared-adsets/);
      // Several ad sets, each with its own segments: more than the union's two.
      const adsets = /\(ad sets ([^)]*)\)/.exec(gen.stdout)![1]!.split(', ');
      expect(adsets.length).toBeGreaterThanOrEqual(4);
    } finally {
      await db.close();
    }
  });
});
