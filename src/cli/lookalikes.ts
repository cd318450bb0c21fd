import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { ensureLookalikes } from '../services/lookalikes.ts';
import { type CliIo, printJson, printLines, UsageError } from './io.ts';

export const usage = 'meta lookalikes --recommendation ID [--source AUDIENCE_ID] [--yes] [--per-country] [--json]';

/** Dry run unless --yes: says which lookalikes would be created or reused, and creates nothing. */
export async function metaLookalikesCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { recommendation: { type: 'string' }, yes: { type: 'boolean', default: false }, 'per-country': { type: 'boolean', default: false }, source: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  if (values.recommendation === undefined || values.recommendation.trim() === '') throw new UsageError('--recommendation: the recommendation whose lookalikes to make is required');
  const result = await ensureLookalikes(ctx, { recommendationId: values.recommendation.trim(), confirm: values.yes, ...(values['per-country'] ? { perCountry: true } : {}), ...(values.source === undefined ? {} : { sourceAudienceId: values.source.trim() }) });
  if (values.json) return printJson(io, result);
  printLines(io, [
    `${result.message}.`,
    ...(result.source === null ? [] : [`Source ${result.source.audience_id}${result.source.name ? ` (${result.source.name})` : ''}: about ${result.source.size_lower?.toLocaleString('en') ?? '?'}–${result.source.size_upper?.toLocaleString('en') ?? '?'} people (${result.source.chosen}).`]),
    ...result.lookalikes.map((l) => `  ${l.name}: ${l.action}${l.audience_id === null ? '' : ` ${l.audience_id}`}, ${l.state}${l.detail === null ? '' : ` (${l.detail})`}`),
  ]);
}
