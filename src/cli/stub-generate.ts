import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { generateStubHistory } from '../services/generate-stub.ts';
import { familyName, parseFamily, type MarketFamily } from '../simulation/families.ts';
import { type CliIo, parseSeed, printJson, printLines, progress, UsageError } from './io.ts';

export const usage = 'stub generate --campaigns N --days N --seed S [--end-date YYYY-MM-DD] [--family stub|conversion-saturation|…|saturation/segment-rows/sizes[/prices[/reporting[/drift[/edits[/budget[/cost-swings[/delivery[/curve[/orders[/estimates[/pool[/funding[/country-count]]]]]]]]]]]]]] [--json]';

export async function stubGenerateCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { campaigns: { type: 'string', default: '3' }, days: { type: 'string', default: '30' }, seed: { type: 'string', default: '42' }, 'end-date': { type: 'string' }, family: { type: 'string', default: 'stub' }, json: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  const whole = (name: string, text: string) => {
    if (!/^\d+$/.test(text)) throw new UsageError(`--${name}: must be a whole number, got ${JSON.stringify(text)}`);
    return Number(text);
  };
  let family: MarketFamily;
  try {
    family = parseFamily(values.family);
  } catch (e) {
    throw new UsageError(`--${(e as Error).message}`);
  }
  const report = await generateStubHistory(ctx, {
    family,
    campaigns: whole('campaigns', values.campaigns),
    days: whole('days', values.days),
    seed: parseSeed(values.seed),
    // Given empty, it is refused by name rather than taken as the default.
    ...(values['end-date'] !== undefined ? { endDate: values['end-date'] } : {}),
    onProgress: progress(io, 'generating'),
  });
  if (values.json) return printJson(io, report);
  printLines(io, [
    `Generated ${report.rows.toLocaleString('en')} synthetic insight rows (seed ${report.seed}, market family ${familyName(family)}) from ${report.dateRange.start} to ${report.dateRange.end}:`,
    ...report.campaigns.map((c) => `  campaign ${c.campaign_id}  ${c.name}  (ad sets ${c.adset_ids.join(', ')})`),
  ]);
}
