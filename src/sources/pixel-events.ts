// Parser and validator of the canonical pixel-events CSV: one row per day, campaign, event and
// content category with its count (date,campaign_id,event_name,content_category,count). Like the
// insights CSV it reports every problem with its line and column, and keeps only clean rows.
import { parse } from 'csv-parse';
import type { CsvError, InfoRecord } from 'csv-parse';
import { ROW_FIELD, type RowProblem } from './csv.ts';
import { dateProblem, DIGITS, hasControlCharacter, isScientificNotation, locateNamedColumns, MAX_ID_LENGTH, MAX_NAME_LENGTH } from './field-rules.ts';

export const PIXEL_COLUMNS = ['date', 'campaign_id', 'event_name', 'content_category', 'count'] as const;
type Column = (typeof PIXEL_COLUMNS)[number];
const REQUIRED: readonly Column[] = ['date', 'campaign_id', 'event_name', 'count'];

export interface PixelEventRow {
  date: string;
  campaignId: string;
  eventName: string;
  contentCategory: string;
  count: number;
}

export interface PixelParseResult {
  rows: PixelEventRow[];
  problems: RowProblem[];
  rowsRead: number;
  headerProblems: string[];
}

/** True when a header names the pixel-events columns (format detection). */
export function looksLikePixelEvents(header: readonly string[]): boolean {
  const names = new Set(header.map((h) => h.trim().toLowerCase()));
  return names.has('event_name') && names.has('count');
}

function readHeader(header: readonly string[]): { index: Record<Column, number>; problems: string[] } {
  return locateNamedColumns(header, PIXEL_COLUMNS, REQUIRED, 'pixel-events');
}

export interface PixelParseOptions {
  /** The latest day a row may be dated (the importer's tomorrow in UTC, from the service's clock): events cannot have happened later. */
  latestDate?: string;
}

export function parsePixelEventsCsv(input: NodeJS.ReadableStream | string, options: PixelParseOptions = {}): Promise<PixelParseResult> {
  const rows: PixelEventRow[] = [];
  const problems: RowProblem[] = [];
  const headerProblems: string[] = [];
  const seen = new Map<string, number>();
  let index: Record<Column, number> | null = null;
  let width = 0;
  let headerSeen = false;
  let rowsRead = 0;
  let lastLine = 0;

  const readRecord = (record: string[], line: number): void => {
    const before = problems.length;
    const report = (field: string, value: string, message: string) => problems.push({ line, field, value, message });
    if (record.length !== width) {
      report(ROW_FIELD, record.join(','), `the line has ${record.length} fields but the header has ${width}`);
      return;
    }
    const cell = (c: Column) => (index![c] < 0 ? '' : (record[index![c]] ?? ''));
    const date = cell('date').trim();
    const dateMessage = date === '' ? 'date is required' : dateProblem('date', date, options.latestDate);
    if (dateMessage !== null) report('date', cell('date'), dateMessage);
    const campaignId = cell('campaign_id').trim();
    if (campaignId === '') report('campaign_id', cell('campaign_id'), 'campaign_id is required');
    else if (campaignId.length > MAX_ID_LENGTH) report('campaign_id', cell('campaign_id'), `campaign_id is longer than ${MAX_ID_LENGTH} characters`);
    else if (isScientificNotation(campaignId)) report('campaign_id', cell('campaign_id'), `campaign_id "${campaignId}" is in scientific notation: the id was mangled by a spreadsheet; re-export the ids as text`);
    else if (hasControlCharacter(campaignId)) report('campaign_id', cell('campaign_id'), 'campaign_id must not contain control characters');
    const eventName = cell('event_name').trim();
    if (eventName === '') report('event_name', cell('event_name'), 'event_name is required (e.g. PageView, ViewContent, AddToCart, Purchase)');
    else if (eventName.length > MAX_ID_LENGTH || hasControlCharacter(eventName)) report('event_name', cell('event_name'), `event_name must be at most ${MAX_ID_LENGTH} characters without control characters`);
    const contentCategory = cell('content_category').trim();
    if (contentCategory.length > MAX_NAME_LENGTH || hasControlCharacter(contentCategory)) report('content_category', cell('content_category'), `content_category must be at most ${MAX_NAME_LENGTH} characters without control characters`);
    const countText = cell('count').trim();
    let count = -1;
    if (DIGITS.test(countText) && Number.isSafeInteger(Number(countText))) count = Number(countText);
    else if (countText === '') report('count', cell('count'), 'count is required');
    else if (DIGITS.test(countText)) report('count', cell('count'), 'count is too large');
    else report('count', cell('count'), 'count must be a non-negative whole number (no thousands separator)');
    if (problems.length !== before) return;
    const key = `${date}\u0001${campaignId}\u0001${eventName}\u0001${contentCategory}`;
    const first = seen.get(key);
    if (first !== undefined) {
      report(ROW_FIELD, record.join(','), `duplicate of line ${first} (same date, campaign_id, event_name, content_category)`);
      return;
    }
    seen.set(key, line);
    rows.push({ date, campaignId, eventName, contentCategory, count });
  };

  return new Promise((resolve, reject) => {
    const parser = parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: true, skip_records_with_error: true, record_delimiter: ['\r\n', '\n'] });
    parser.on('data', ({ record, info }: { record: string[]; info: InfoRecord }) => {
      // A record with quoted line breaks is reported at its first line.
      const breaks = record.reduce((n, f) => n + (f.match(/\r\n|\n|\r/g)?.length ?? 0), 0);
      const line = info.lines - breaks;
      lastLine = info.lines;
      if (!headerSeen) {
        headerSeen = true;
        const h = readHeader(record);
        headerProblems.push(...h.problems);
        if (h.problems.length === 0) {
          index = h.index;
          width = record.length;
        }
        return;
      }
      if (index === null) return;
      rowsRead++;
      readRecord(record, line);
    });
    parser.on('skip', (error: CsvError) => {
      const line = typeof error.lines === 'number' ? error.lines : lastLine + 1;
      lastLine = line;
      if (!headerSeen) {
        headerSeen = true;
        headerProblems.push(`the header line is not valid CSV: ${error.message}`);
        return;
      }
      if (index === null) return;
      rowsRead++;
      problems.push({ line, field: ROW_FIELD, value: '', message: `not valid CSV: ${error.message}` });
    });
    parser.on('error', reject);
    parser.on('end', () => {
      if (!headerSeen) headerProblems.push(`the file is empty: expected a header line with the columns ${PIXEL_COLUMNS.join(',')}`);
      problems.sort((a, b) => a.line - b.line);
      resolve({ rows, problems, rowsRead, headerProblems });
    });
    if (typeof input === 'string') parser.end(input);
    else {
      input.on('error', (error: Error) => parser.destroy(error));
      input.pipe(parser);
    }
  });
}
