// The reader of a canonical import (canonical-import-worker.ts), on its own: a file with a problem
// posts no row read after the problem (the import is refused whole, so nothing more need reach the
// database), and the worker keeps only two batches ahead of the writes, so a slow database slows
// the reading instead of filling memory with unwritten batches.
import { mkdirSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReaderInput, ReaderMessage, WriterMessage } from '../src/services/canonical-import.ts';

const HEADER = 'date,campaign_id,adset_id,segment_type,segment_id,segment_name,country,age,gender,impressions,reach,clicks,conversions,spend,revenue,currency';

/** `n` rows, one ad set each (as-0 … as-n-1); the row of ad set `bad` has more clicks than impressions. */
function file(n: number, bad: number | null): string {
  const lines = [HEADER];
  for (let i = 0; i < n; i++) lines.push(`2026-10-01,c1,as-${i},,,,ES,,,100,50,${i === bad ? 500 : 5},1,1.00,,EUR`);
  mkdirSync('.tmp', { recursive: true });
  const path = `.tmp/reader-${process.pid}-${n}-${bad}.csv`;
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const workers: Worker[] = [];
afterEach(async () => {
  await Promise.all(workers.splice(0).map((w) => w.terminate()));
});

/** Starts the reader; `batches` collects the ad sets of each posted batch, and `ack` says one was written. */
function start(path: string, options: { skipInvalid: boolean; batchRows: number; autoAck: boolean }) {
  const input: ReaderInput = { file: path, defaultCurrency: 'EUR', skipInvalid: options.skipInvalid, source: 'csv', batchRows: options.batchRows, latestDate: '2026-11-21' };
  const worker = new Worker(new URL('../src/services/canonical-import-worker.ts', import.meta.url), { workerData: input });
  workers.push(worker);
  const batches: string[][] = [];
  const ack = () => worker.postMessage({ type: 'written' } satisfies WriterMessage);
  const end = new Promise<Extract<ReaderMessage, { type: 'end' }>>((resolve, reject) => {
    worker.on('error', reject);
    worker.on('message', (m: ReaderMessage) => {
      if (m.type === 'batch') {
        batches.push([...m.text.matchAll(/"(as-\d+)"/g)].map((x) => x[1]!));
        if (options.autoAck) ack();
      } else if (m.type === 'end') resolve(m);
    });
  });
  return { batches, ack, end };
}

async function until(done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 10) {
    if (waited > 20_000) throw new Error('timed out');
    await sleep(10);
  }
}

describe('the canonical import reader', () => {
  it('posts no row read after the first problem unless told to skip invalid rows', async () => {
    const path = file(50, 10);
    const refused = start(path, { skipInvalid: false, batchRows: 3, autoAck: true });
    const end = await refused.end;
    expect(end.problems).toEqual([expect.objectContaining({ line: 12, field: 'clicks' })]);
    // Rows as-0 … as-8 in three full batches; as-9, read before the problem, was still gathering.
    expect(refused.batches.flat()).toEqual(Array.from({ length: 9 }, (_, i) => `as-${i}`));
    expect(end.written).toBe(9);

    const skipping = start(path, { skipInvalid: true, batchRows: 3, autoAck: true });
    const all = await skipping.end;
    expect(skipping.batches.flat()).toEqual(Array.from({ length: 50 }, (_, i) => `as-${i}`).filter((a) => a !== 'as-10'));
    expect(all.written).toBe(49);
  });

  it('reads on only while fewer than two batches wait to be written', async () => {
    // Ten batches of 2,000 rows (about 100 KB each; the file is read 64 KiB at a time).
    const reader = start(file(20_000, null), { skipInvalid: false, batchRows: 2_000, autoAck: false });
    const ended = reader.end.then(() => true);
    await until(() => reader.batches.length >= 2);
    expect(await Promise.race([ended, sleep(300).then(() => false)])).toBe(false);
    expect(reader.batches.length).toBe(2);
    reader.ack();
    await until(() => reader.batches.length >= 3);
    await sleep(300);
    expect(reader.batches.length).toBe(3);
    // Written as they come: the reader goes to the end.
    let acked = 1;
    while (!(await Promise.race([ended, sleep(5).then(() => false)]))) {
      for (; acked < reader.batches.length; acked++) reader.ack();
    }
    expect(reader.batches.flat().length).toBe(20_000);
    expect((await reader.end).written).toBe(20_000);
  });
});
