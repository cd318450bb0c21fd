// Which of a file's daily budgets replace the stored ones. A file's budget is the account's state
// on the file's days; one whose campaign's rows end before the store's latest day for it is an
// older export (a backfill, say), and its budget is not the campaign's budget now.

export interface OlderBudget {
  campaignId: string;
  /** The file's latest day for the campaign, and the store's before the import. */
  fileLastDay: string;
  storedLastDay: string;
}

export function budgetsToStore(budgets: ReadonlyMap<string, number>, fileLastDay: ReadonlyMap<string, string>, storedLastDay: ReadonlyMap<string, string | null>): { stored: Map<string, number>; older: OlderBudget[] } {
  const stored = new Map<string, number>();
  const older: OlderBudget[] = [];
  for (const [campaignId, minor] of budgets) {
    const fileLast = fileLastDay.get(campaignId);
    const storedLast = storedLastDay.get(campaignId) ?? null;
    if (fileLast !== undefined && storedLast !== null && fileLast < storedLast) older.push({ campaignId, fileLastDay: fileLast, storedLastDay: storedLast });
    else stored.set(campaignId, minor);
  }
  return { stored, older };
}

/** What a report says of a budget left as stored. */
export function olderBudgetNote(o: OlderBudget): string {
  return `${o.campaignId}: the file's daily budget was not stored: its rows end on ${o.fileLastDay}, before the stored ${o.storedLastDay} (an older export's budget is not the campaign's budget now)`;
}
