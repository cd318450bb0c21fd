import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { rollbackChange } from '../services/rollback-change.ts';
import { type CliIo, printJson, printLines, UsageError } from './io.ts';

export const usage = 'rollback <history_id> [--mode stub|live] [--yes] [--json]   (a dry run unless --yes)';

export async function rollbackCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { yes: { type: 'boolean', default: false }, mode: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  if (positionals.length !== 1 || !/^\d{1,15}$/.test(positionals[0]!.trim())) throw new UsageError(`rollback takes exactly one targeting history row id (a whole number), got ${JSON.stringify(positionals.join(' '))}`);
  if (values.mode !== undefined && values.mode !== 'stub' && values.mode !== 'live') throw new UsageError(`--mode: must be stub or live, got ${JSON.stringify(values.mode)}`);
  const result = await rollbackChange(ctx, { historyId: Number(positionals[0]!.trim()), ...(values.mode === undefined ? {} : { mode: values.mode }), dryRun: !values.yes });
  if (values.json) return printJson(io, result);
  printLines(io, [
    `${result.message}.`,
    ...result.changes.flatMap((c) => [`  ${c.action} ad set ${c.adset_id ?? '(whole campaign)'}${c.note === null ? '' : ` (${c.note})`}`, ...c.diff.map((d) => `    ${d.field}: ${JSON.stringify(d.after)} (now ${JSON.stringify(d.before)})`)]),
    ...result.requests.map((r) => `  POST /${r.path} ${JSON.stringify(r.params)}`),
    ...result.validation.errors.map((e) => `Meta refused /${e.path}: ${e.error.message}`),
    ...(result.dry_run ? ['Nothing changed (dry run); roll back with --yes.'] : []),
  ]);
}
