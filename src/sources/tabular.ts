// Reads a spreadsheet-like file (CSV or the first worksheet of an XLSX) into a header and records of
// cells, for the importers that must look at the whole file before they can interpret a cell (a
// number's locale is decided per file). The canonical CSV parser streams instead and does not use it.

import { parse } from 'csv-parse';
import type { CsvError, InfoRecord } from 'csv-parse';
import ExcelJS from 'exceljs';
import { Readable } from 'node:stream';
import { InputError } from '../engine/input-error.ts';

/** What a cell holds: CSV cells are text; XLSX cells keep their type (a number, a date). */
export type Cell = string | number | Date | null;

export interface TableRecord {
  cells: Cell[];
  /** 1-based line (CSV) or row (XLSX) number; the header is line 1 in a CSV without preamble. */
  line: number;
}

export interface Table {
  header: string[];
  records: TableRecord[];
  /** The CSV field delimiter; null for XLSX. */
  delimiter: string | null;
  /** Lines that are not valid CSV, reported instead of read. */
  broken: { line: number; message: string }[];
}

const DELIMITERS = [',', ';', '\t'] as const;

/**
 * The delimiter of a CSV from its first line: the one of , ; and tab found most often outside quotes.
 * Ads Manager writes commas in every language (a Spanish export quotes "1.250,50"); a file re-saved
 * by a Spanish-locale Excel uses semicolons, and some tools write tabs.
 */
export function sniffDelimiter(firstLine: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of firstLine) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best: string = ',';
  for (const d of DELIMITERS) if (counts.get(d)! > counts.get(best)!) best = d;
  return best;
}

function firstLineOf(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.search(/\r?\n/);
  return text.slice(start, end < 0 ? undefined : end);
}

/** Reads a whole CSV (a string, or a byte/text stream such as fs.createReadStream). */
export async function readCsvTable(input: string | AsyncIterable<Buffer | string>, onRecord?: (n: number) => void): Promise<Table> {
  let source: Readable;
  let delimiter: string;
  if (typeof input === 'string') {
    delimiter = sniffDelimiter(firstLineOf(input));
    source = Readable.from([input]);
  } else {
    // Peek at the first chunk (64 KiB from a file stream: always more than one header line) to sniff.
    const iterator = input[Symbol.asyncIterator]();
    const first = await iterator.next();
    const head = first.done ? '' : typeof first.value === 'string' ? first.value : first.value.toString('utf8');
    delimiter = sniffDelimiter(firstLineOf(head));
    source = Readable.from((async function* () {
      if (!first.done) yield first.value;
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
    })());
  }

  const records: TableRecord[] = [];
  const broken: Table['broken'] = [];
  let header: string[] | null = null;
  return new Promise<Table>((resolve, reject) => {
    const parser = parse({ bom: true, delimiter, info: true, skip_empty_lines: true, relax_column_count: true, skip_records_with_error: true });
    parser.on('data', (chunk: { record: string[]; info: InfoRecord }) => {
      if (header === null) {
        header = chunk.record;
        return;
      }
      records.push({ cells: chunk.record, line: chunk.info.lines });
      if (onRecord && records.length % 10_000 === 0) onRecord(records.length);
    });
    parser.on('skip', (error: CsvError) => {
      broken.push({ line: typeof error.lines === 'number' ? error.lines : records.length + 2, message: `not valid CSV: ${error.message}` });
    });
    parser.on('error', reject);
    parser.on('end', () => resolve({ header: header ?? [], records, delimiter, broken }));
    source.on('error', (error: Error) => parser.destroy(error));
    source.pipe(parser);
  });
}

function cellOf(value: ExcelJS.CellValue): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'string') return value;
  if (typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value;
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((t) => t.text).join('');
    if ('result' in value) return cellOf(value.result as ExcelJS.CellValue);
    if ('text' in value && typeof value.text === 'string') return value.text;
    if ('error' in value) return null;
  }
  return String(value);
}

const isEmpty = (c: Cell): boolean => c === null || (typeof c === 'string' && c.trim() === '');

/** Reads the first worksheet with data; the first non-empty row is the header. */
export async function readXlsxTable(file: string | Buffer, onRecord?: (n: number) => void): Promise<Table> {
  const workbook = new ExcelJS.Workbook();
  try {
    if (typeof file === 'string') await workbook.xlsx.readFile(file);
    else await workbook.xlsx.load(file as unknown as ArrayBuffer);
  } catch (e) {
    // A zip that is no readable workbook (damaged, truncated, another zip) is the user's to fix.
    throw new InputError('file', `is not a readable XLSX workbook (${e instanceof Error ? e.message.slice(0, 160) : String(e)}): export it again, or as CSV; nothing was imported`);
  }
  const sheet = workbook.worksheets.find((w) => w.actualRowCount > 0);
  const table: Table = { header: [], records: [], delimiter: null, broken: [] };
  if (!sheet) return table;
  let width = 0;
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    // row.values is 1-based and sparse: index 0 is unused.
    const values = row.values as ExcelJS.CellValue[];
    const cells: Cell[] = [];
    for (let i = 1; i < values.length; i++) cells.push(cellOf(values[i]));
    if (cells.every(isEmpty)) return;
    if (table.header.length === 0) {
      table.header = cells.map((c) => (c === null ? '' : c instanceof Date ? c.toISOString() : String(c)));
      width = table.header.length;
      return;
    }
    while (cells.length < width) cells.push(null);
    table.records.push({ cells, line: rowNumber });
    if (onRecord && table.records.length % 10_000 === 0) onRecord(table.records.length);
  });
  return table;
}
