// The approval step from the command line. The CLI runs with the database's own rights, so its
// approvals count as an admin's; its own applies need no approval.
import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { approveProposal, listProposals, type Proposal, proposeApply, rejectProposal } from '../services/apply-proposals.ts';
import { type CliIo, parseLimit, printJson, printLines, UsageError } from './io.ts';

export const createUsage = 'proposal create <recommendation_id> [--mode stub|live] [--json]';
export const listUsage = 'proposal list [--status proposed|approved|rejected] [--limit 1..500] [--json]';
export const approveUsage = 'proposal approve <proposal_id> [--force] [--json]';
export const rejectUsage = 'proposal reject <proposal_id> [--note TEXT] [--json]';

export async function proposalCreateCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { mode: { type: 'string', default: 'stub' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  if (positionals.length !== 1) throw new UsageError('proposal create takes exactly one recommendation id');
  if (values.mode !== 'stub' && values.mode !== 'live') throw new UsageError(`--mode: must be stub or live, got ${JSON.stringify(values.mode)}`);
  const result = await proposeApply(ctx, { recommendationId: positionals[0]!.trim().toLowerCase(), mode: values.mode });
  if (values.json) return printJson(io, result);
  printLines(io, [`${result.message}.`, line(result.proposal)]);
}

export async function proposalListCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { status: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  const status = values.status ?? null;
  if (status !== null && status !== 'proposed' && status !== 'approved' && status !== 'rejected') throw new UsageError(`--status: must be proposed, approved or rejected, got ${JSON.stringify(status)}`);
  const rows = await listProposals(ctx, { status, limit: parseLimit(values.limit) });
  if (values.json) return printJson(io, rows);
  printLines(io, rows.length === 0 ? ['No proposals.'] : rows.map(line));
}

export async function proposalApproveCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { force: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  const result = await approveProposal(ctx, proposalId(positionals, 'approve'), { force: values.force });
  if (values.json) return printJson(io, result);
  printLines(io, [`${result.message}.`, line(result.proposal)]);
}

export async function proposalRejectCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { note: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  const result = await rejectProposal(ctx, proposalId(positionals, 'reject'), values.note ?? null);
  if (values.json) return printJson(io, result);
  printLines(io, [`${result.message}.`, line(result.proposal)]);
}

function proposalId(positionals: string[], verb: string): number {
  if (positionals.length !== 1 || !/^\d{1,15}$/.test(positionals[0]!.trim())) throw new UsageError(`proposal ${verb} takes exactly one proposal id (a positive whole number)`);
  return Number(positionals[0]!.trim());
}

function line(p: Proposal): string {
  const decided = p.decided_by === null ? '' : `; ${p.status} by ${p.decided_by} at ${p.decided_at}${p.history_id === null ? '' : ` (targeting history row ${p.history_id})`}`;
  return `proposal ${p.id}  ${p.status}  recommendation ${p.recommendation_id}  campaign ${p.campaign_id}  ad set ${p.adset_id ?? '-'}  ${p.mode}  proposed by ${p.proposed_by} at ${p.proposed_at}${decided}`;
}
