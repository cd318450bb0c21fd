import { Readable } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { CANONICAL_COLUMNS, ROW_FIELD, parseCanonicalCsv } from './csv.ts';
import type { ParseResult } from './csv.ts';

const OPTIONS = { defaultCurrency: 'EUR' };
const HEADER = CANONICAL_COLUMNS.join(',');

const BASE: Record<string, string> = {
  date: '2024-03-01',
  campaign_id: '120253000000000017',
  adset_id: '23850000001',
  segment_type: 'interest',
  segment_id: '6003139266461',
  segment_name: 'Running',
  country: 'ES',
  age: '25-34',
  gender: 'female',
  impressions: '1000',
  reach: '800',
  clicks: '50',
  conversions: '5',
  spend: '12.50',
  revenue: '40.00',
  currency: 'EUR',
  daily_budget: '',
};

function quote(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** One data line in canonical column order: the valid BASE row with some cells replaced. */
function line(overrides: Record<string, string> = {}): string {
  return CANONICAL_COLUMNS.map((c) => quote(overrides[c] ?? BASE[c]!)).join(',');
}

function csv(...lines: string[]): string {
  return [HEADER, ...lines].join('\n') + '\n';
}

function chunked(text: string, size: number): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return Readable.from(chunks);
}

function where(result: ParseResult): { line: number; field: string }[] {
  return result.problems.map((p) => ({ line: p.line, field: p.field }));
}

describe('parseCanonicalCsv: valid files', () => {
  it('reads a file whose columns are in a non-canonical order', async () => {
    const text =
      'currency,spend,revenue,clicks,impressions,reach,conversions,gender,age,country,segment_name,segment_id,segment_type,adset_id,campaign_id,date\n' +
      'EUR,12.50,40,50,1000,800,5,female,25-34,ES,Running,6003139266461,interest,23850000001,120253000000000017,2024-03-01\n' +
      'usd,3,,7,90,,,m,65+,fr,,LAL_1,lookalike,,C2,2024-02-29\n';
    const result = await parseCanonicalCsv(text, OPTIONS);
    expect(result.problems).toEqual([]);
    expect(result.headerProblems).toEqual([]);
    expect(result.rowsRead).toBe(2);
    expect(result.rows).toEqual([
      {
        date: '2024-03-01', campaignId: '120253000000000017', adsetId: '23850000001',
        segmentType: 'interest', segmentId: '6003139266461', segmentName: 'Running',
        country: 'ES', age: '25-34', gender: 'female',
        impressions: 1000, reach: 800, clicks: 50, conversions: 5, spendMinor: 1250, revenueMinor: 4000, currency: 'EUR',
      },
      {
        date: '2024-02-29', campaignId: 'C2', adsetId: '',
        segmentType: 'lookalike', segmentId: 'LAL_1', segmentName: 'LAL_1',
        country: 'FR', age: '65+', gender: 'male',
        impressions: 90, reach: null, clicks: 7, conversions: null, spendMinor: 300, revenueMinor: null, currency: 'USD',
      },
    ]);
  });

  it('treats absent optional columns as empty: plain rows, unknown reach/conversions/revenue, default currency', async () => {
    const text = 'date,campaign_id,impressions,clicks,spend\n2024-03-01,C1,100,4,2.5\n';
    const result = await parseCanonicalCsv(text, { defaultCurrency: 'jpy' });
    expect(result.problems).toEqual([]);
    expect(result.rows).toEqual([{
      date: '2024-03-01', campaignId: 'C1', adsetId: '', segmentType: '', segmentId: '', segmentName: '',
      country: '', age: '', gender: '', impressions: 100, reach: null, clicks: 4, conversions: null,
      spendMinor: 3, revenueMinor: null, currency: 'JPY',
    }]);
  });

  it('reads an optional segment_size: the audience size of the row\'s segment, a whole number above 0', async () => {
    const result = await parseCanonicalCsv(csv(
      line({ segment_size: '2500000' }),
      line({ date: '2024-03-02', segment_size: '' }),
      line({ date: '2024-03-03', segment_size: '0' }),
      line({ date: '2024-03-04', segment_size: '1.5' }),
      line({ date: '2024-03-05', segment_type: '', segment_id: '', segment_name: '', segment_size: '1000' }),
    ), OPTIONS);
    expect(result.rows.map((r) => r.segmentSize)).toEqual([2_500_000, undefined]);
    expect(result.problems.map((p) => [p.line, p.field])).toEqual([[4, 'segment_size'], [5, 'segment_size'], [6, 'segment_size']]);
    expect(result.problems[0]!.message).toContain('above 0');
    expect(result.problems[2]!.message).toContain('no segment_type');
  });

  it('normalises case, trims ids, accepts integral floats and rounds money to the currency minor units', async () => {
    const result = await parseCanonicalCsv(csv(
      line({ campaign_id: '  C1 ', country: 'es', gender: 'F', segment_type: 'Interest', impressions: '7350.0', clicks: '12.00', spend: '1.429999948', currency: 'eur' }),
      line({ campaign_id: 'C2', gender: 'u', spend: '0.125', revenue: '', currency: '' }),
      line({ campaign_id: 'C3', gender: 'M', spend: '1500.6', revenue: '7', currency: 'JPY' }),
    ), OPTIONS);
    expect(result.problems).toEqual([]);
    const [a, b, c] = result.rows;
    expect(a).toMatchObject({ campaignId: 'C1', country: 'ES', gender: 'female', segmentType: 'interest', impressions: 7350, clicks: 12, spendMinor: 143, currency: 'EUR' });
    expect(b).toMatchObject({ gender: 'unknown', spendMinor: 13, revenueMinor: null, currency: 'EUR' });
    expect(c).toMatchObject({ gender: 'male', spendMinor: 1501, revenueMinor: 7, currency: 'JPY' });
  });

  it('keeps empty reach, conversions and revenue as null (unknown), not zero', async () => {
    const result = await parseCanonicalCsv(csv(line({ reach: '', conversions: '', revenue: '' }), line({ date: '2024-03-02', reach: '0', conversions: '0', revenue: '0' })), OPTIONS);
    expect(result.rows.map((r) => [r.reach, r.conversions, r.revenueMinor])).toEqual([[null, null, null], [0, 0, 0]]);
  });

  it('accepts conversions above clicks (view-through attribution)', async () => {
    const result = await parseCanonicalCsv(csv(line({ clicks: '3', conversions: '9' })), OPTIONS);
    expect(result.problems).toEqual([]);
    expect(result.rows[0]).toMatchObject({ clicks: 3, conversions: 9 });
  });

  it('accepts a BOM and CRLF line endings, from a string and from a byte stream', async () => {
    const text = '\uFEFF' + [HEADER, line(), line({ date: '2024-03-02', country: 'XX' })].join('\r\n') + '\r\n';
    for (const input of [text, chunked(text, 7)]) {
      const result = await parseCanonicalCsv(input, OPTIONS);
      expect(result.headerProblems).toEqual([]);
      expect(result.rows).toHaveLength(1);
      expect(result.rows[0]!.currency).toBe('EUR');
      expect(where(result)).toEqual([{ line: 3, field: 'country' }]);
    }
  });

  it('reads quoted fields with commas, quotes and newlines, and keeps physical line numbers after them', async () => {
    for (const eol of ['\n', '\r\n']) {
      const text = [
        HEADER,
        line({ segment_name: `Running, "trail"${eol}and road` }),
        '',
        line({ date: '2024-03-02', age: '99' }),
      ].join(eol) + eol;
      for (const input of [text, chunked(text, 5)]) {
        const result = await parseCanonicalCsv(input, OPTIONS);
        expect(result.rows.map((r) => r.segmentName)).toEqual([`Running, "trail"${eol}and road`]);
        // Header 1, quoted record 2-3, empty line 4 (skipped), bad row 5.
        expect(where(result)).toEqual([{ line: 5, field: 'age' }]);
        expect(result.rowsRead).toBe(2);
      }
    }
  });
});

describe('parseCanonicalCsv: one problem per rule, naming the field and the line', () => {
  const cases: [string, Record<string, string>, string, string][] = [
    ['date missing', { date: '' }, 'date', 'required'],
    ['date not a calendar day', { date: '2024-02-30' }, 'date', 'calendar date'],
    ['date not a leap year', { date: '2023-02-29' }, 'date', 'calendar date'],
    ['date in another format', { date: '01/03/2024' }, 'date', 'YYYY-MM-DD'],
    ['date with a mistyped year', { date: '0024-03-01' }, 'date', 'before 2000'],
    ['campaign_id missing', { campaign_id: ' ' }, 'campaign_id', 'required'],
    ['segment_name with bytes that were not UTF-8', { segment_name: 'Caf\uFFFD' }, 'segment_name', 'save the file as UTF-8'],
    ['campaign_id too long', { campaign_id: 'c'.repeat(129) }, 'campaign_id', '128'],
    ['campaign_id in scientific notation', { campaign_id: '1.20253E+17' }, 'campaign_id', 'mangled by a spreadsheet'],
    ['adset_id in scientific notation', { adset_id: '2.385E+10' }, 'adset_id', 'mangled by a spreadsheet'],
    ['segment_id in scientific notation', { segment_id: '6.00314e12' }, 'segment_id', 'mangled by a spreadsheet'],
    ['unknown segment_type', { segment_type: 'keyword' }, 'segment_type', 'custom_audience'],
    ['segment_type without segment_id', { segment_id: '' }, 'segment_id', 'required'],
    ['segment_id on a plain row', { segment_type: '', segment_name: '' }, 'segment_id', 'must be empty'],
    ['segment_name on a plain row', { segment_type: '', segment_id: '' }, 'segment_name', 'must be empty'],
    ['unknown country', { country: 'XX' }, 'country', 'ISO 3166-1'],
    ['alpha-3 country', { country: 'ESP' }, 'country', 'ISO 3166-1'],
    ['unknown age bucket', { age: '18-25' }, 'age', '65+'],
    ['unknown gender', { gender: 'x' }, 'gender', 'male, female, unknown'],
    ['impressions missing', { impressions: '' }, 'impressions', 'required'],
    ['negative impressions', { impressions: '-1' }, 'impressions', 'negative'],
    ['fractional impressions', { impressions: '7350.5' }, 'impressions', 'whole number'],
    ['impressions not a number', { impressions: 'n/a' }, 'impressions', 'whole number'],
    ['clicks missing', { clicks: '' }, 'clicks', 'required'],
    ['clicks above impressions', { clicks: '1001' }, 'clicks', 'exceed impressions'],
    ['reach above impressions', { reach: '1001' }, 'reach', 'exceeds impressions'],
    ['fractional reach', { reach: '1.5' }, 'reach', 'whole number'],
    ['negative conversions', { conversions: '-2' }, 'conversions', 'negative'],
    ['spend missing', { spend: '' }, 'spend', 'required'],
    ['negative spend', { spend: '-1.00' }, 'spend', 'negative'],
    ['spend not a number', { spend: '12.50 EUR' }, 'spend', 'decimal number'],
    ['revenue in scientific notation', { revenue: '1e3' }, 'revenue', 'decimal number'],
    ['unknown currency', { currency: 'ABC' }, 'currency', 'ISO 4217'],
    ['currency name instead of code', { currency: 'euro' }, 'currency', 'ISO 4217'],
  ];

  for (const [name, overrides, field, message] of cases) {
    it(name, async () => {
      const result = await parseCanonicalCsv(csv(line({ date: '2024-02-01' }), line(overrides)), OPTIONS);
      expect(result.problems).toHaveLength(1);
      expect(result.problems[0]).toMatchObject({ line: 3, field });
      expect(result.problems[0]!.message).toContain(message);
      expect(result.problems[0]!.value).toBe(overrides[field] ?? BASE[field]);
      expect(result.rows.map((r) => r.date)).toEqual(['2024-02-01']);
    });
  }

  it('rejects locale-formatted numbers with the canonical-separator explanation', async () => {
    const result = await parseCanonicalCsv(csv(
      line({ spend: '1,250.50' }),
      line({ date: '2024-03-02', revenue: '1.250,50' }),
      line({ date: '2024-03-03', impressions: '7.350' }),
      line({ date: '2024-03-04', spend: '12,5' }),
    ), OPTIONS);
    expect(where(result)).toEqual([
      { line: 2, field: 'spend' }, { line: 3, field: 'revenue' }, { line: 4, field: 'impressions' }, { line: 5, field: 'spend' },
    ]);
    for (const problem of result.problems) {
      expect(problem.message).toContain('the canonical format uses a dot decimal separator and no thousands separator');
    }
    expect(result.rows).toEqual([]);
  });

  it('accepts a plain decimal with three fraction digits as a decimal, not as thousands', async () => {
    const result = await parseCanonicalCsv(csv(line({ spend: '1.250' })), OPTIONS);
    expect(result.problems).toEqual([]);
    expect(result.rows[0]!.spendMinor).toBe(125);
  });

  it('reports a line with the wrong number of fields', async () => {
    const result = await parseCanonicalCsv(csv(line() + ',extra'), OPTIONS);
    expect(where(result)).toEqual([{ line: 2, field: ROW_FIELD }]);
    expect(result.problems[0]!.message).toContain(`${CANONICAL_COLUMNS.length + 1} fields but the header has ${CANONICAL_COLUMNS.length}`);
  });

  it('reports a CSV syntax error on its line and still reads the lines after it', async () => {
    const result = await parseCanonicalCsv(csv(line(), line({ date: '2024-03-02' }).replace('Running', 'Run"ning'), line({ date: '2024-03-03' })), OPTIONS);
    expect(where(result)).toEqual([{ line: 3, field: ROW_FIELD }]);
    expect(result.problems[0]!.message).toContain('not valid CSV');
    expect(result.rows.map((r) => r.date)).toEqual(['2024-03-01', '2024-03-03']);
    expect(result.rowsRead).toBe(3);
  });
});

describe('parseCanonicalCsv: a date delivery cannot have reached yet', () => {
  it('is refused, naming the line (a mistyped year would end every run\'s window there, leaving the real history out)', async () => {
    const result = await parseCanonicalCsv(csv(line({ date: '2026-11-21' }), line({ date: '2062-11-19', segment_id: '2' })), { ...OPTIONS, latestDate: '2026-11-21' });
    expect(result.rows.map((r) => r.date)).toEqual(['2026-11-21']);
    expect(result.problems).toEqual([{ line: 3, field: 'date', value: '2062-11-19', message: 'date 2062-11-19 is after 2026-11-21, the latest day delivery can have happened by now (a mistyped year?)' }]);
  });
});

describe('parseCanonicalCsv: bytes that are not text', () => {
  it('a Latin-1 byte in a UTF-8 stream is the line\'s problem, never a silently changed id', async () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\n${line({ campaign_id: 'cXX' })}\n`, 'utf8')]);
    const at = bytes.indexOf('cXX');
    bytes[at + 1] = 0xff;
    bytes[at + 2] = 0xfe;
    const result = await parseCanonicalCsv(Readable.from([bytes]), OPTIONS);
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([expect.objectContaining({ line: 2, field: 'campaign_id', message: expect.stringMatching(/not UTF-8/) })]);
  });
  it('a NUL character is the line\'s problem, shown as \\0 so that the answer and the audit can hold it', async () => {
    const result = await parseCanonicalCsv(csv(line({ campaign_id: 'c\u0000x' })), OPTIONS);
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([{ line: 2, field: 'campaign_id', value: 'c\\0x', message: 'campaign_id holds a NUL character (a binary or damaged file?)' }]);
  });
});

describe('parseCanonicalCsv: whole-file checks', () => {
  it('reports every problem on every line, and keeps only the rows without any', async () => {
    const result = await parseCanonicalCsv(csv(
      line({ date: '2024-13-01', country: 'XX', spend: 'abc' }),
      line({ date: '2024-03-02' }),
      line({ date: '2024-03-03', campaign_id: '', clicks: '5000', gender: 'other' }),
      line({ date: '2024-03-04' }),
      line({ date: '2024-03-05', age: '30', revenue: '-3' }),
    ), OPTIONS);
    expect(where(result)).toEqual([
      { line: 2, field: 'date' }, { line: 2, field: 'country' }, { line: 2, field: 'spend' },
      { line: 4, field: 'campaign_id' }, { line: 4, field: 'gender' }, { line: 4, field: 'clicks' },
      { line: 6, field: 'age' }, { line: 6, field: 'revenue' },
    ]);
    expect(result.rows.map((r) => r.date)).toEqual(['2024-03-02', '2024-03-04']);
    expect(result.rowsRead).toBe(5);
  });

  it('reports a duplicate key on the later line, comparing normalised values', async () => {
    const result = await parseCanonicalCsv(csv(
      line(),
      line({ gender: 'male' }),
      line({ spend: '99', segment_name: 'Other name' }),
      line({ country: 'es', gender: 'm' }),
    ), OPTIONS);
    expect(where(result)).toEqual([{ line: 4, field: ROW_FIELD }, { line: 5, field: ROW_FIELD }]);
    expect(result.problems[0]!.message).toContain('duplicate of line 2');
    expect(result.problems[1]!.message).toContain('duplicate of line 3');
    expect(result.rows).toHaveLength(2);
  });

  it('requires one currency per campaign, the default currency included', async () => {
    const result = await parseCanonicalCsv(csv(
      line({ campaign_id: 'C1', currency: '' }),
      line({ campaign_id: 'C2', currency: 'USD' }),
      line({ campaign_id: 'C1', date: '2024-03-02', currency: 'eur' }),
      line({ campaign_id: 'C1', date: '2024-03-03', currency: 'USD' }),
      line({ campaign_id: 'C2', date: '2024-03-02', currency: '' }),
    ), OPTIONS);
    expect(where(result)).toEqual([{ line: 5, field: 'currency' }, { line: 6, field: 'currency' }]);
    expect(result.problems[0]!.message).toContain('since line 2');
    expect(result.problems[1]!.message).toContain('since line 3');
    expect(result.rows.map((r) => [r.campaignId, r.currency])).toEqual([['C1', 'EUR'], ['C2', 'USD'], ['C1', 'EUR']]);
  });

  it('reports progress every 10,000 rows', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 25_000; i++) lines.push(line({ campaign_id: `C${i}` }));
    const seen: number[] = [];
    const result = await parseCanonicalCsv(csv(...lines), { defaultCurrency: 'EUR', onProgress: (n) => seen.push(n) });
    expect(seen).toEqual([10_000, 20_000]);
    expect(result.rows).toHaveLength(25_000);
  });

  it('rejects an unknown default currency', async () => {
    await expect(parseCanonicalCsv(csv(line()), { defaultCurrency: 'EURO' })).rejects.toThrow(/defaultCurrency/);
  });

  it('rejects when the input stream fails', async () => {
    const input = new Readable({ read() { this.destroy(new Error('disk gone')); } });
    await expect(parseCanonicalCsv(input, OPTIONS)).rejects.toThrow('disk gone');
  });
});

describe('parseCanonicalCsv: header problems', () => {
  it('reports missing required columns and parses no rows', async () => {
    const result = await parseCanonicalCsv('date,campaign_id,impressions\n2024-03-01,C1,10\n', OPTIONS);
    expect(result.headerProblems).toEqual(['missing required column "clicks"', 'missing required column "spend"']);
    expect(result.rows).toEqual([]);
    expect(result.problems).toEqual([]);
    expect(result.rowsRead).toBe(0);
  });

  it('reports unknown columns by name, with a hint when only the case is wrong', async () => {
    const result = await parseCanonicalCsv(`${HEADER},cpm,Spend\n${line()},1,2\n`, OPTIONS);
    expect(result.headerProblems).toHaveLength(2);
    expect(result.headerProblems[0]).toContain(`unknown column "cpm" at position ${CANONICAL_COLUMNS.length + 1}`);
    expect(result.headerProblems[1]).toContain('"spend"');
    expect(result.rows).toEqual([]);
  });

  it('reports duplicate columns', async () => {
    const result = await parseCanonicalCsv(`${HEADER},clicks\n${line()},50\n`, OPTIONS);
    expect(result.headerProblems).toEqual([`duplicate column "clicks" at positions 12 and ${CANONICAL_COLUMNS.length + 1}`]);
    expect(result.rows).toEqual([]);
  });

  it('reports an empty file', async () => {
    const result = await parseCanonicalCsv('\n\n', OPTIONS);
    expect(result.headerProblems).toHaveLength(1);
    expect(result.headerProblems[0]).toContain('empty');
  });
});

describe('daily_budget', () => {
  it('is optional: files without the column, and empty cells, store no budget', async () => {
    const without = CANONICAL_COLUMNS.filter((c) => c !== 'daily_budget');
    const text = [without.join(','), without.map((c) => quote(BASE[c]!)).join(',')].join('\n');
    const r = await parseCanonicalCsv(text, OPTIONS);
    expect(r.problems).toEqual([]);
    expect(r.rows).toHaveLength(1);
    expect(r.dailyBudgets).toBeUndefined();
    expect((await parseCanonicalCsv(csv(line()), OPTIONS)).dailyBudgets).toBeUndefined();
  });

  it("keeps each campaign's budget of its latest day, in minor units of its currency", async () => {
    const r = await parseCanonicalCsv(csv(
      line({ date: '2024-03-02', daily_budget: '300' }),
      line({ date: '2024-03-01', daily_budget: '250.50' }),
      line({ campaign_id: 'jp', currency: 'JPY', date: '2024-03-01', daily_budget: '5000', spend: '120', revenue: '' }),
    ), OPTIONS);
    expect(r.problems).toEqual([]);
    expect(r.dailyBudgets).toEqual(new Map([['120253000000000017', 30000], ['jp', 5000]]));
  });

  it('names the field and the line of a bad budget', async () => {
    const r = await parseCanonicalCsv(csv(
      line({ daily_budget: '0' }),
      line({ date: '2024-03-02', daily_budget: '1.250,00' }),
      line({ date: '2024-03-03', daily_budget: '-5' }),
      line({ date: '2024-03-04', adset_id: 'a', daily_budget: '100' }),
      line({ date: '2024-03-04', adset_id: 'b', daily_budget: '120' }),
    ), OPTIONS);
    expect(r.problems.map((p) => [p.line, p.field])).toEqual([[2, 'daily_budget'], [3, 'daily_budget'], [4, 'daily_budget'], [6, 'daily_budget']]);
    expect(r.problems[3]!.message).toMatch(/differs from line 5/);
  });
});
