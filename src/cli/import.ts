import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { statSync } from 'node:fs';
import { detectFormat, IMPORT_FORMATS, type ImportFormat, type ImportReport, importInsightsFile } from '../services/import-insights.ts';
import { importPixelEventsFile, type PixelImportReport } from '../services/import-pixel-events.ts';
import { type CliIo, printJson, printLines, progress, UsageError } from './io.ts';

export const usage = `import <file.csv|file.xlsx> [--format ${IMPORT_FORMATS.join('|')}] [--currency EUR] [--date YYYY-MM-DD] [--skip-invalid] [--json]`;

export async function importCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      'skip-invalid': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      format: { type: 'string' },
      currency: { type: 'string' },
      date: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError(`import takes exactly one file, got ${positionals.length}`);
  const format = values.format;
  if (format !== undefined && !(IMPORT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}, got ${JSON.stringify(format)}`);
  }
  const file = positionals[0]!;
  const detected = format ?? (statSync(file, { throwIfNoEntry: false })?.isFile() ? detectFormat(file) : undefined);
  if (detected === 'pixel-events') {
    for (const flag of ['currency', 'date'] as const) if (values[flag] !== undefined) throw new UsageError(`--${flag} does not apply to a pixel-events file`);
    const pixel = await importPixelEventsFile(ctx, file, { skipInvalid: values['skip-invalid'] });
    if (values.json) return printJson(io, pixel);
    return printLines(io, pixelReportLines(pixel));
  }
  const report = await importInsightsFile(ctx, file, {
    skipInvalid: values['skip-invalid'],
    onProgress: progress(io, 'reading'),
    ...(detected !== undefined ? { format: detected as ImportFormat } : {}),
    ...(values.currency !== undefined ? { currency: values.currency } : {}),
    ...(values.date !== undefined ? { date: values.date } : {}),
  });
  if (values.json) return printJson(io, report);
  printLines(io, reportLines(report));
}

/** The import report as text lines (the same facts as --json). */
export function reportLines(report: ImportReport): string[] {
  const s = report.source;
  const lines = [
    `Imported ${report.imported.toLocaleString('en')} row(s) from ${report.rowsRead.toLocaleString('en')} read in ${report.file} (${report.format}) in ${report.durationMs} ms.`,
    report.dateRange ? `  dates ${report.dateRange.start} to ${report.dateRange.end}; currency ${report.currencies.join(', ')}; campaigns ${report.campaigns.join(', ')}` : '  no rows imported',
  ];
  if (s) {
    const found = Object.entries(s.breakdowns).filter(([, on]) => on).map(([name]) => (name === 'adset' ? 'ad set' : name));
    lines.push(
      `  read as ${s.fileType.toUpperCase()}${s.language ? `, ${s.language} headers` : ''}${s.delimiter ? `, delimiter ${JSON.stringify(s.delimiter)}` : ''}${s.decimalMark ? `, decimal mark "${s.decimalMark.mark}" (${s.decimalMark.decidedBy})` : ''}`,
      `  currency ${s.currency ?? 'n/a'} from ${s.currencySource}`,
      `  breakdowns found: ${found.length > 0 ? found.join(', ') : 'none'}`,
    );
    if (s.mergedRows > 0) lines.push(`  ${s.mergedRows} row(s) summed into rows with the same key (one per ad → one per ad set)`);
    for (const k of s.skippedRows) lines.push(`  skipped ${k.count} ${k.reason} (line ${k.lines.join(', ')}${k.count > k.lines.length ? ', …' : ''})`);
    if (s.ignoredColumns.length > 0) lines.push(`  columns not imported: ${s.ignoredColumns.join(', ')}`);
    for (const n of s.notes) lines.push(`  note: ${n}`);
    for (const w of s.warnings) lines.push(`  warning: ${w}`);
    lines.push('  what the optimizer can do with it:', ...s.capabilities.map((c) => `    - ${c}`));
  }
  const budgets = Object.entries(report.dailyBudgets);
  if (budgets.length > 0) lines.push(`  daily budgets stored: ${budgets.map(([id, amount]) => `${id} ${amount} ${report.currencies.length === 1 ? report.currencies[0] : ''}`.trim()).join(', ')}`);
  for (const note of report.budgetsNotStored) lines.push(`  daily budget not stored: ${note}`);
  const bad = report.problems.length > 0 ? new Set(report.problems.map((p) => p.line)).size : 0;
  if (bad > 0) lines.push(`  skipped ${bad} invalid row(s):`, ...report.problems.map((p) => `    line ${p.line}, ${p.field}: ${p.message}`));
  return lines;
}

/** The pixel-events import report as text lines (the same facts as --json). */
export function pixelReportLines(report: PixelImportReport): string[] {
  const lines = [
    `Imported ${report.imported.toLocaleString('en')} pixel event row(s) from ${report.rowsRead.toLocaleString('en')} read in ${report.file} in ${report.durationMs} ms.`,
    report.dateRange ? `  dates ${report.dateRange.start} to ${report.dateRange.end}; campaigns ${report.campaigns.join(', ')}` : '  no rows imported',
    `  events: ${Object.entries(report.events).map(([name, n]) => `${name} ${n.toLocaleString('en')}`).join(', ') || 'none'}`,
  ];
  if (report.campaignsWithoutHistory.length > 0) lines.push(`  note: no insights stored yet for ${report.campaignsWithoutHistory.join(', ')}: their events count once their history is imported`);
  const bad = new Set(report.problems.map((p) => p.line)).size;
  if (bad > 0) lines.push(`  skipped ${bad} invalid row(s):`, ...report.problems.map((p) => `    line ${p.line}, ${p.field}: ${p.message}`));
  return lines;
}
