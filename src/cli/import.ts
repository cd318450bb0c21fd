import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { importInsightsFile } from '../services/import-insights.ts';
import { type CliIo, printJson, printLines, progress, UsageError } from './io.ts';

export const usage = 'import <file.csv> [--skip-invalid] [--json]';

export async function importCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { 'skip-invalid': { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError(`import takes exactly one file, got ${positionals.length}`);
  const report = await importInsightsFile(ctx, positionals[0]!, { skipInvalid: values['skip-invalid'], onProgress: progress(io, 'reading') });
  if (values.json) return printJson(io, report);
  printLines(io, [
    `Imported ${report.imported.toLocaleString('en')} of ${report.rowsRead.toLocaleString('en')} rows from ${report.file} in ${report.durationMs} ms.`,
    report.dateRange ? `  dates ${report.dateRange.start} to ${report.dateRange.end}; currency ${report.currencies.join(', ')}; campaigns ${report.campaigns.join(', ')}` : '  no rows imported',
    ...(report.skipped > 0 ? [`  skipped ${report.skipped} invalid row(s):`, ...report.problems.map((p) => `    line ${p.line}, ${p.field}: ${p.message}`)] : []),
  ]);
}
