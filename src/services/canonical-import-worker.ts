// The worker thread of a canonical CSV import (canonical-import.ts): reads and checks the file, and
// posts the valid rows as COPY text in batches, so the main thread writes one batch while the next
// is read. At the end it posts what the import stores besides the rows (campaigns, budgets,
// audience sizes, the segment table's sums) and its report.
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { parentPort, workerData } from 'node:worker_threads';
import type { InsightRow } from '../engine/types.ts';
import { parseCanonicalCsv } from '../sources/csv.ts';
import { insightsCsv, noteSegmentSize, segmentSizeRanges, type LatestSegmentSizes } from '../store/insights.ts';
import { addSegmentDay, emptySegmentDays } from '../store/segment-days.ts';
import type { ReaderInput, ReaderMessage, WriterMessage } from './canonical-import.ts';

const input = workerData as ReaderInput;
const FIRST_BATCH_ROWS = 2_000;
// Batches posted and not yet written: one being written and one ready keeps the database busy;
// beyond that the reading waits, so a slow database never has the file's rows queued in memory.
const BATCHES_AHEAD = 2;
const post = (message: ReaderMessage): void => parentPort!.postMessage(message);

let unwritten = 0;
let wake: (() => void) | null = null;
const onWritten = (message: WriterMessage): void => {
  if (message.type !== 'written') return;
  unwritten--;
  wake?.();
  wake = null;
};
parentPort!.on('message', onWritten);

/** The file's chunks, each read only while fewer than BATCHES_AHEAD batches wait to be written. */
async function* paced(file: string): AsyncGenerator<Buffer> {
  for await (const chunk of createReadStream(file)) {
    while (unwritten >= BATCHES_AHEAD) await new Promise<void>((resolve) => (wake = resolve));
    yield chunk as Buffer;
  }
}

// The rows of the batch being gathered, and per campaign its currency and first and last day in it
// (the main thread checks those against the stored rows before writing the batch).
let batch: InsightRow[] = [];
let batchCampaigns = new Map<string, { currency: string; first: string; last: string }>();
const campaigns = new Map<string, string>();
const currencies = new Set<string>();
const days = emptySegmentDays();
const sizes: LatestSegmentSizes = new Map();
let start: string | null = null;
let end: string | null = null;
let written = 0;
// The first batches are small, so the database starts writing while this thread's code still warms
// up; each is twice the one before up to batchRows.
let batchLimit = Math.min(FIRST_BATCH_ROWS, input.batchRows);

const flush = (): void => {
  if (batch.length === 0) return;
  post({ type: 'batch', text: insightsCsv(batch, input.source), rows: batch.length, campaigns: [...batchCampaigns].map(([id, c]) => ({ id, ...c })) });
  unwritten++;
  written += batch.length;
  batch = [];
  batchCampaigns = new Map();
  batchLimit = Math.min(batchLimit * 2, input.batchRows);
};

const parsed = await parseCanonicalCsv(Readable.from(paced(input.file), { objectMode: false }), {
  defaultCurrency: input.defaultCurrency,
  latestDate: input.latestDate,
  onProgress: (rowsRead) => post({ type: 'progress', rowsRead }),
  onRow: (r, clean) => {
    // A problem without --skip-invalid rejects the file: nothing more is written, every problem is still listed.
    if (!clean && !input.skipInvalid) return;
    batch.push(r);
    const c = batchCampaigns.get(r.campaignId);
    if (c === undefined) batchCampaigns.set(r.campaignId, { currency: r.currency, first: r.date, last: r.date });
    else if (r.date < c.first) c.first = r.date;
    else if (r.date > c.last) c.last = r.date;
    if (!campaigns.has(r.campaignId)) campaigns.set(r.campaignId, r.currency);
    currencies.add(r.currency);
    if (start === null || r.date < start) start = r.date;
    if (end === null || r.date > end) end = r.date;
    addSegmentDay(days, r);
    noteSegmentSize(sizes, r);
    if (batch.length === batchLimit) flush();
  },
});
if (parsed.problems.length === 0 || input.skipInvalid) flush();
post({
  type: 'end',
  rowsRead: parsed.rowsRead,
  problems: parsed.problems,
  headerProblems: parsed.headerProblems,
  written,
  campaigns,
  currencies: [...currencies].sort(),
  dateRange: start !== null && end !== null ? { start, end } : null,
  dailyBudgets: new Map([...(parsed.dailyBudgets ?? [])].filter(([id]) => campaigns.has(id))),
  segmentDays: days,
  segmentSizes: segmentSizeRanges(sizes),
});
parentPort!.off('message', onWritten); // nothing more to wait for: the thread may end
