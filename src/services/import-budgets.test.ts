import { describe, expect, it } from 'vitest';
import { budgetsToStore, olderBudgetNote } from './import-budgets.ts';

describe("which of a file's daily budgets are stored", () => {
  it("a campaign's budget is stored where the file reaches the store's latest day for it, or the store has none; an older export's is left, saying why", () => {
    const r = budgetsToStore(
      new Map([['new', 100], ['same', 200], ['backfill', 5], ['unknown', 7]]),
      new Map([['new', '2026-11-12'], ['same', '2026-11-11'], ['backfill', '2025-01-31'], ['unknown', '2026-01-01']]),
      new Map([['new', '2026-11-11'], ['same', '2026-11-11'], ['backfill', '2026-11-11'], ['unknown', null]]),
    );
    expect([...r.stored]).toEqual([['new', 100], ['same', 200], ['unknown', 7]]);
    expect(r.older).toEqual([{ campaignId: 'backfill', fileLastDay: '2025-01-31', storedLastDay: '2026-11-11' }]);
    expect(olderBudgetNote(r.older[0]!)).toBe("backfill: the file's daily budget was not stored: its rows end on 2025-01-31, before the stored 2026-11-11 (an older export's budget is not the campaign's budget now)");
  });
});
