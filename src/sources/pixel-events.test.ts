import { describe, expect, it } from 'vitest';
import { ROW_FIELD } from './csv.ts';
import { parsePixelEventsCsv } from './pixel-events.ts';

const HEADER = 'date,campaign_id,event_name,content_category,count';

describe('parsePixelEventsCsv', () => {
  it('reads valid rows; content_category may be empty or absent', async () => {
    const r = await parsePixelEventsCsv(`${HEADER}\n2026-11-01,111,Purchase,running shoes,12\n2026-11-01,111,PageView,,300\n`);
    expect(r.problems).toEqual([]);
    expect(r.rows).toEqual([
      { date: '2026-11-01', campaignId: '111', eventName: 'Purchase', contentCategory: 'running shoes', count: 12 },
      { date: '2026-11-01', campaignId: '111', eventName: 'PageView', contentCategory: '', count: 300 },
    ]);
    const noCategory = await parsePixelEventsCsv('date,campaign_id,event_name,count\n2026-11-01,111,Purchase,3\n');
    expect(noCategory.rows[0]!.contentCategory).toBe('');
  });

  it('names the line and the column of every problem, and keeps only clean rows', async () => {
    const r = await parsePixelEventsCsv([
      HEADER,
      '2026-02-30,111,Purchase,shoes,1',
      ',1.2E+17,,shoes,-3',
      '2026-11-01,111,Purchase,shoes,"1,200"',
      '2026-11-01,111,Purchase,shoes,4',
      '2026-11-01,111,Purchase,shoes,5',
      '2026-11-02,111,Purchase,shoes',
    ].join('\n'));
    expect(r.rows).toHaveLength(1);
    expect(r.rowsRead).toBe(6);
    expect(r.problems.map((p) => [p.line, p.field])).toEqual([
      [2, 'date'], [3, 'date'], [3, 'campaign_id'], [3, 'event_name'], [3, 'count'], [4, 'count'], [6, ROW_FIELD], [7, ROW_FIELD],
    ]);
    expect(r.problems.find((p) => p.line === 6)!.message).toContain('duplicate of line 5');
  });

  it('refuses a header with unknown or missing columns, naming them', async () => {
    const r = await parsePixelEventsCsv('Date,campaign_id,event,count\n');
    expect(r.headerProblems).toEqual([
      'unknown column "Date" at position 1 (column names are lower case: "date"); the pixel-events columns are date,campaign_id,event_name,content_category,count',
      'unknown column "event" at position 3; the pixel-events columns are date,campaign_id,event_name,content_category,count',
      'missing required column "date"',
      'missing required column "event_name"',
    ]);
  });
});

describe('parsePixelEventsCsv: a date events cannot have reached yet', () => {
  it('is the line\'s problem (a mistyped year such as 2062); the latest day itself is read', async () => {
    const r = await parsePixelEventsCsv(`${HEADER}\n2026-11-21,111,Purchase,shoes,3\n2062-11-20,111,Purchase,shoes,4\n`, { latestDate: '2026-11-21' });
    expect(r.rows.map((x) => x.date)).toEqual(['2026-11-21']);
    expect(r.problems).toEqual([{ line: 3, field: 'date', value: '2062-11-20', message: 'date 2062-11-20 is after 2026-11-21, the latest day delivery can have happened by now (a mistyped year?)' }]);
  });
});
