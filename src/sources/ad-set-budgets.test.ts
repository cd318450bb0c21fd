import { describe, expect, it } from 'vitest';
import { interpretAdsManager, parseAdsManagerCsv } from './ads-manager.ts';

const OPTIONS = { defaultCurrency: 'EUR' };
const EN = 'Day,Campaign ID,Campaign name,Ad set ID,Ad set name,Amount spent (EUR),Impressions,Link clicks,Ad set budget,Ad set budget type';

describe('daily budgets from the ad set budget columns', () => {
  it("sums each campaign's ad sets' daily budgets, the latest day's value per ad set", async () => {
    const csv = [
      EN,
      '2026-11-01,111,Shoes,a1,Runners,10.00,1000,20,40,Daily',
      '2026-11-02,111,Shoes,a1,Runners,11.00,1100,21,60,Daily',
      '2026-11-02,111,Shoes,a2,Walkers,9.00,900,18,"1,250.50",Daily',
    ].join('\n');
    const r = await parseAdsManagerCsv(csv, OPTIONS);
    expect(r.problems).toEqual([]);
    expect(r.dailyBudgets).toEqual(new Map([['111', 131050]]));
    expect(r.report.notes.join('\n')).toContain('111 1310.5 EUR (2 ad sets)');
    expect(r.report.notes.join('\n')).toContain('the latest day\'s budget is used');
    expect(r.report.ignoredColumns).not.toContain('Ad set budget');
  });

  it('reads Spanish headers and decimal commas, in the currency of the export', async () => {
    const csv = [
      'Día;Identificador de la campaña;Nombre de la campaña;Nombre del conjunto de anuncios;Importe gastado (MXN);Impresiones;Clics en el enlace;Presupuesto del conjunto de anuncios;Tipo de presupuesto del conjunto de anuncios',
      '01/11/2026;222;Zapatos;Corredores;10,50;1000;20;250,75;Diario',
    ].join('\n');
    const r = await parseAdsManagerCsv(csv, OPTIONS);
    expect(r.problems).toEqual([]);
    expect(r.dailyBudgets).toEqual(new Map([['222', 25075]]));
  });

  it('stores no budget for lifetime budgets, campaign budgets or ad sets without one, and says why', async () => {
    const csv = [
      EN,
      '2026-11-01,331,Life,l1,L,10.00,1000,20,3000,Lifetime',
      '2026-11-01,332,CBO,c1,C,10.00,1000,20,Using campaign budget,0',
      '2026-11-01,333,Mixed,m1,M1,10.00,1000,20,50,Daily',
      '2026-11-01,333,Mixed,m2,M2,10.00,1000,20,,',
      '2026-11-01,334,Odd,o1,O,10.00,1000,20,50,Weekly',
    ].join('\n');
    const r = await parseAdsManagerCsv(csv, OPTIONS);
    expect(r.problems).toEqual([]);
    expect(r.rows).toHaveLength(5);
    expect(r.dailyBudgets).toBeUndefined();
    const notes = r.report.notes.join('\n');
    expect(notes).toMatch(/campaign 331: no daily budget read: 1 ad set\(s\) have a lifetime budget, which is not a daily budget/);
    expect(notes).toMatch(/campaign 332: no daily budget read: 1 ad set\(s\) use the campaign's budget/);
    expect(notes).toMatch(/campaign 333: no daily budget read: 1 ad set\(s\) have no readable budget/);
    expect(notes).toContain('campaign set --campaign 333 --daily-budget AMOUNT');
    expect(r.report.warnings.join('\n')).toContain('budget type "Weekly" (expected Daily or Lifetime)');
  });

  it('reads a spreadsheet\'s numeric budget cells (XLSX) as they are', () => {
    const table = {
      header: EN.split(','),
      records: [{ line: 2, cells: [new Date(Date.UTC(2026, 10, 1)), '444', 'Sheet', 'x1', 'X', 10.5, 1000, 20, 75.25, 'Daily'] }],
      delimiter: null,
      broken: [],
    };
    const r = interpretAdsManager(table, 'xlsx', OPTIONS);
    expect(r.problems).toEqual([]);
    expect(r.dailyBudgets).toEqual(new Map([['444', 7525]]));
  });
});
