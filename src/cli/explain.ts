import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import type { TraceEntryDocument as TraceEntry } from '../presentation/recommendation-document.ts';
import { type Difference, explainRecommendation, type ExplainResult } from '../services/explain-recommendation.ts';
import { type CliIo, money, printJson, printLines, UsageError } from './io.ts';
import { describeRecommendation } from './run.ts';

export const usage = 'explain <recommendation_id> [--replay] [--json]';

/**
 * Exit code of `explain --replay` when the replay does not come out the same, or the stored inputs
 * no longer match their hash: distinct from 1 (failure) and 2 (bad input) so that a script can
 * tell drift from an error.
 */
export const REPLAY_DIFFERS_EXIT_CODE = 3;

export async function explainCommand(ctx: AppContext, args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { replay: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('explain takes exactly one recommendation id');
  const result = await explainRecommendation(ctx, positionals[0]!, { replay: values.replay });
  const code = result.replay && (!result.replay.same || !result.replay.hash_verified) ? REPLAY_DIFFERS_EXIT_CODE : 0;
  if (values.json) printJson(io, result);
  else printLines(io, describe(result));
  return code;
}

function describe(result: ExplainResult): string[] {
  const r = result.recommendation;
  const i = result.inputs;
  const lines = describeRecommendation(r).slice(1);
  lines.push(
    i === null
      ? 'Decided from: not kept (stored before decision inputs were recorded; it cannot be replayed)'
      : `Decided from: run ${i.run_id} at ${i.created_at}, window ${i.window.start} to ${i.window.end}, run budget ${money(i.budget.run_total_budget, i.budget.currency)} ` +
          `(this ad set ${money(i.budget.adset_budget, i.budget.currency)}), strategy ${i.strategy}, engine version ${i.strategy_version}, ` +
          `random seed ${i.random_seed ?? 'none (deterministic)'}, input hash ${i.input_hash}`,
    'Decisions:',
    ...result.trace.map(traceLine),
  );
  const replay = result.replay;
  if (replay) {
    const versions = replay.engine_version_then === replay.engine_version_now
      ? `engine version ${replay.engine_version_now} then and now`
      : `engine version ${replay.engine_version_then} then, ${replay.engine_version_now} now: the engine changed since`;
    const hash = replay.hash_verified ? 'stored inputs match their hash' : 'stored inputs do NOT match their hash: they were changed after the run';
    lines.push(replay.same ? `replayed: identical (${versions}; ${hash})` : `replayed: DIFFERENT, ${replay.differences_total} difference(s) (${versions}; ${hash})`);
    if (replay.error !== null) lines.push(`  ${replay.error}`);
    else lines.push(...replay.differences.map(differenceLine));
    if (replay.differences_total > replay.differences.length) lines.push(`  … and ${replay.differences_total - replay.differences.length} more (--json lists the first ${replay.differences.length})`);
  }
  return lines;
}

function traceLine(t: TraceEntry): string {
  const numbers = Object.entries(t.numbers).map(([k, v]) => `${k}=${v === null ? 'n/a' : String(v)}`).join(', ');
  return `  ${t.step}: ${t.decision}${numbers ? ` [${numbers}]` : ''}`;
}

function differenceLine(d: Difference): string {
  const show = (has: boolean, v: unknown) => (has ? short(JSON.stringify(v)) : '(absent)');
  return `  ${d.path}: stored ${show('stored' in d, d.stored)} → replayed ${show('replayed' in d, d.replayed)}`;
}

function short(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}
