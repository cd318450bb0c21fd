// Campaign daily budgets from the ad set budget columns of an Ads Manager export ("Ad set budget",
// "Ad set budget type"). A campaign's daily budget is the sum of its ad sets' daily budgets, and
// only that: a lifetime budget is not a daily one (spreading it over the schedule would guess at
// its pacing), an ad set "Using campaign budget" has its budget on the campaign, which the export
// does not carry, and an ad set without a budget in the file leaves the sum unknown. Such campaigns
// get no budget from the file, and the report says why.
import { parseMinor } from '../engine/money.ts';
import { normaliseHeader } from './ads-manager-headers.ts';
import { type DecimalMark, normaliseNumber } from './locale-number.ts';

type Kind = 'daily' | 'lifetime' | 'campaign';

const DAILY = new Set(['daily', 'daily budget', 'diario', 'diaria', 'presupuesto diario']);
const LIFETIME = new Set(['lifetime', 'lifetime budget', 'total', 'presupuesto total']);
// "Using campaign budget": the ad set shares its campaign's budget (Advantage campaign budget).
const CAMPAIGN_BUDGET = /campaign budget|presupuesto de (la )?campana/;

interface Entry {
  kind: Kind;
  minor: number | null;
  date: string;
}

export interface BudgetResult {
  /** Minor units by campaign id: the campaigns whose every ad set in the file has a daily budget. */
  dailyBudgets: Map<string, number>;
  notes: string[];
  warnings: string[];
}

export class AdSetBudgets {
  private readonly entries = new Map<string, Map<string, Entry>>();
  private readonly adsets = new Map<string, Set<string>>();
  private readonly currencies = new Map<string, string>();
  private readonly unreadable: string[] = [];
  private changed = 0;
  private readonly decimal: DecimalMark;

  constructor(decimal: DecimalMark) {
    this.decimal = decimal;
  }

  /** One row's ad set budget cells (text or a spreadsheet number); the budget cell may be absent. */
  add(row: { campaignId: string; adsetId: string; date: string; currency: string; line: number; budget: string | number | null; type: string | null }): void {
    const adsets = this.adsets.get(row.campaignId) ?? new Set<string>();
    adsets.add(row.adsetId);
    this.adsets.set(row.campaignId, adsets);
    this.currencies.set(row.campaignId, row.currency);
    const entry = this.read(row);
    if (entry === null) return;
    const byAdset = this.entries.get(row.campaignId) ?? new Map<string, Entry>();
    const known = byAdset.get(row.adsetId);
    if (known !== undefined && (known.kind !== entry.kind || known.minor !== entry.minor)) this.changed++;
    // The latest day's budget is the ad set's budget now.
    if (known === undefined || entry.date >= known.date) byAdset.set(row.adsetId, entry);
    this.entries.set(row.campaignId, byAdset);
  }

  private read(row: { budget: string | number | null; type: string | null; currency: string; date: string; line: number }): Entry | null {
    const cell = row.budget;
    if (cell === null || (typeof cell === 'string' && /^(|-|--)$/.test(cell.trim()))) return null;
    const text = typeof cell === 'number' ? '' : normaliseHeader(cell);
    const type = normaliseHeader(row.type ?? '');
    if (CAMPAIGN_BUDGET.test(text) || CAMPAIGN_BUDGET.test(type)) return { kind: 'campaign', minor: null, date: row.date };
    let minor: number | null;
    if (typeof cell === 'number') minor = cell > 0 && Number.isFinite(cell) ? parseMinor(cell.toFixed(8), row.currency) : null;
    else {
      const parsed = normaliseNumber(cell.trim(), this.decimal, false);
      minor = parsed.ok && !parsed.percent ? parseMinor(parsed.text, row.currency) : null;
    }
    if (minor === null || minor <= 0) {
      if (this.unreadable.length < 5) this.unreadable.push(`line ${row.line}: "${String(cell).trim()}"`);
      return null;
    }
    if (DAILY.has(type)) return { kind: 'daily', minor, date: row.date };
    if (LIFETIME.has(type)) return { kind: 'lifetime', minor, date: row.date };
    if (this.unreadable.length < 5) this.unreadable.push(`line ${row.line}: budget type "${(row.type ?? '').trim()}" (expected Daily or Lifetime)`);
    return null;
  }

  result(format: (minor: number, currency: string) => string): BudgetResult {
    const dailyBudgets = new Map<string, number>();
    const notes: string[] = [];
    const warnings: string[] = [];
    const stored: string[] = [];
    for (const [campaignId, adsets] of this.adsets) {
      const byAdset = this.entries.get(campaignId);
      if (byAdset === undefined) continue; // no budget cell at all for this campaign: nothing to say per campaign
      const currency = this.currencies.get(campaignId)!;
      const entries = [...adsets].map((a) => byAdset.get(a));
      const count = (kind: Kind) => entries.filter((e) => e?.kind === kind).length;
      const missing = entries.filter((e) => e === undefined).length;
      if (count('daily') === adsets.size) {
        const minor = entries.reduce((sum, e) => sum + e!.minor!, 0);
        dailyBudgets.set(campaignId, minor);
        stored.push(`${campaignId} ${format(minor, currency)}${adsets.size > 1 ? ` (${adsets.size} ad sets)` : ''}`);
        continue;
      }
      const why = [
        count('lifetime') > 0 ? `${count('lifetime')} ad set(s) have a lifetime budget, which is not a daily budget` : '',
        count('campaign') > 0 ? `${count('campaign')} ad set(s) use the campaign's budget, which the export does not include` : '',
        missing > 0 ? `${missing} ad set(s) have no readable budget in the file` : '',
      ].filter((x) => x !== '');
      notes.push(`campaign ${campaignId}: no daily budget read: ${why.join('; ')}; set one with \`campaign set --campaign ${campaignId} --daily-budget AMOUNT\``);
    }
    if (stored.length > 0) notes.unshift(`daily budgets read from the ad set budget column (sum of the campaign's ad sets' daily budgets): ${stored.slice(0, 10).join(', ')}${stored.length > 10 ? `, … ${stored.length - 10} more` : ''}`);
    if (this.changed > 0) notes.push(`${this.changed} row(s) show an ad set budget different from another day's: the latest day's budget is used`);
    if (this.unreadable.length > 0) warnings.push(`ad set budgets not read (${this.unreadable.join('; ')}${this.unreadable.length >= 5 ? '; …' : ''})`);
    return { dailyBudgets, notes, warnings };
  }
}
