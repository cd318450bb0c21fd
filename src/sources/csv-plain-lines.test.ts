// The canonical reader splits plain lines itself and hands the rest of a file to csv-parse at the
// first line that is not plain (csv.ts). These properties hold the split to csv-parse's reading.
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CANONICAL_COLUMNS, parseCanonicalCsv, plainFields } from './csv.ts';

const OPTIONS = { defaultCurrency: 'EUR' };
// Characters that matter to CSV, and a few that do not.
const cell = fc.string({ unit: fc.constantFrom('a', '1', ' ', ',', '"', '\r', '\n', 'é', '\uFEFF'), maxLength: 8 });

describe('plainFields', () => {
  it('reads a plain line as csv-parse does, and declines every other line', () => {
    fc.assert(
      fc.property(fc.array(cell, { minLength: 1, maxLength: 5 }), fc.boolean(), (cells, quoteAll) => {
        const line = cells.map((c) => (quoteAll ? `"${c.replaceAll('"', '""')}"` : c)).join(',');
        if (line.includes('\n') || line === '') return;
        const fields = plainFields(line);
        if (fields === null) return;
        expect([fields]).toEqual(parse(line, { relax_column_count: true }));
      }),
      { numRuns: 2000 },
    );
  });

  it('declines quotes inside unquoted fields, text after a closing quote, unclosed quotes and lone CRs', () => {
    for (const line of ['a,b"c', '"a"b,c', '"a,b', 'a,"b""', 'a\rb', '"a\rb"', ' "a"']) expect(plainFields(line)).toBeNull();
    expect(plainFields('"a,""b""",,""')).toEqual(['a,"b"', '', '']);
  });
});

describe('parseCanonicalCsv on files that turn irregular part-way', () => {
  const header = CANONICAL_COLUMNS.join(',');
  const row = (date: string, name: string) => CANONICAL_COLUMNS.map((c) => ({ date, campaign_id: '1', segment_type: 'interest', segment_id: `s${date}`, segment_name: name, impressions: '100', clicks: '1', spend: '1.00' } as Record<string, string>)[c] ?? '').join(',');
  const rows = (eol: string) => [header, row('2024-03-01', 'a'), row('2024-03-02', `"b${eol}c"`), row('2024-03-03', '"d"x'), '', row('2024-03-0x', 'e'), row('2024-03-05', 'f')].join(eol) + eol;

  it('counts physical lines after the switch, in csv-parse\'s own messages too, from a string and from any chunking of a byte stream', async () => {
    for (const eol of ['\n', '\r\n']) {
      const text = rows(eol);
      const whole = await parseCanonicalCsv(text, OPTIONS);
      expect(whole.rows.map((r) => r.segmentName)).toEqual(['a', `b${eol}c`]);
      // Line 5 has text after a closing quote; csv-parse then reads the quote after it as opening a field that never closes.
      expect(whole.problems.map((p) => [p.line, p.message.slice(0, 50)])).toEqual([
        [5, 'not valid CSV: Invalid Closing Quote: got "x" at l'],
        [6, 'not valid CSV: a quoted field starting on or after'],
      ]);
      // csv-parse's own line number, counted from the start of the file (a CRLF inside a quoted field it counts twice).
      expect(whole.problems[0]!.message).toContain(`at line ${eol === '\n' ? 5 : 6} `);
      for (const size of [1, 3, 64]) {
        const bytes = Buffer.from(text);
        const chunks = Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, (i + 1) * size));
        expect(await parseCanonicalCsv(Readable.from(chunks), OPTIONS)).toEqual(whole);
      }
    }
  });
});
