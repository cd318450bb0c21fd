import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { experimentReport, type LiftReport, startExperiment } from '../services/holdout-experiment.ts';
import { type CliIo, pct, printJson, printLines, UsageError } from './io.ts';

export const usage = 'experiment start --campaign ID [--holdout 0..0.5] [--dry-run] [--mode stub|live] [--json] | experiment report <experiment_id> [--json]';

export async function experimentCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'start') return start(ctx, rest, io);
  if (sub === 'report') return report(ctx, rest, io);
  throw new UsageError(`experiment takes a subcommand, start or report${sub === undefined ? '' : `, got ${JSON.stringify(sub)}`}`);
}

async function start(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { campaign: { type: 'string' }, holdout: { type: 'string', default: '0' }, 'dry-run': { type: 'boolean', default: false }, mode: { type: 'string', default: 'stub' }, json: { type: 'boolean', default: false } },
    strict: true,
    allowPositionals: false,
  });
  if (values.campaign === undefined || values.campaign.trim() === '') throw new UsageError('--campaign: is required');
  if (!/^(0(\.\d+)?|\.\d+)$/.test(values.holdout) || Number(values.holdout) > 0.5) throw new UsageError(`--holdout: must be a share from 0 to 0.5 such as 0.2, got ${JSON.stringify(values.holdout)}`);
  if (values.mode !== 'stub' && values.mode !== 'live') throw new UsageError(`--mode: must be stub or live, got ${JSON.stringify(values.mode)}`);
  const result = await startExperiment(ctx, { campaignId: values.campaign, mode: values.mode, holdoutShare: Number(values.holdout), dryRun: values['dry-run'] });
  if (values.json) return printJson(io, result);
  printLines(io, [
    `${result.message}.`,
    `Campaign ${result.campaign_id}, run ${result.run_id}, holdout share ${result.holdout_share}, seed ${result.seed}.`,
    ...result.assignment.map((a) => `  ${a.arm.padEnd(9)}  ad set ${a.adset_id ?? '(whole campaign)'}${a.history_id === null ? '' : `  history row ${a.history_id}`}`),
    result.experiment_id === null ? 'Nothing was stored (dry run).' : `Report once delivery after today exists: targeting-optimizer experiment report ${result.experiment_id}`,
  ]);
}

async function report(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true, allowPositionals: true });
  if (positionals.length !== 1 || positionals[0]!.trim() === '') throw new UsageError('experiment report takes exactly one experiment id');
  const r = await experimentReport(ctx, positionals[0]!.trim());
  if (values.json) return printJson(io, r);
  const arm = (name: 'treatment' | 'holdout') => {
    const a = r.arms[name];
    return `  ${name.padEnd(9)}  ${a.adset_ids.length} ad set(s), ${a.days} day(s): ${a.impressions} impressions, ${a.clicks} clicks, ${a.conversions} conversions, spend ${a.spend} ${r.currency}, revenue ${a.revenue} ${r.currency}; CTR ${pct(a.ctr)}, CVR ${pct(a.cvr)}, ROAS ${a.roas === null ? 'n/a' : a.roas.toFixed(2)}`;
  };
  const signed = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)} %`;
  const lift = (name: string, l: LiftReport) => {
    if (l.state !== 'ok' || l.lift === null || l.ci95 === null) return `  ${name.padEnd(4)}  not enough data: ${l.reason}`;
    const adjusted = l.adjusted === null ? 'no baseline to adjust by' : `adjusted for the arms before the start ${signed(l.adjusted.lift)} (${signed(l.adjusted.ci95.low)} to ${signed(l.adjusted.ci95.high)})`;
    return `  ${name.padEnd(4)}  ${signed(l.lift)}  (95 % interval ${signed(l.ci95.low)} to ${signed(l.ci95.high)}); ${adjusted}`;
  };
  printLines(io, [
    `Experiment ${r.experiment_id} on campaign ${r.campaign_id} (run ${r.run_id}), started ${r.started_at}, holdout share ${r.holdout_share}.`,
    `Delivery from ${r.period.start} to ${r.period.end ?? '(none yet)'}: status ${r.status}${r.reason === null ? '' : ` (${r.reason})`}.`,
    arm('treatment'),
    arm('holdout'),
    `Lift of treatment over holdout (baseline ${r.baseline_period.start} to ${r.baseline_period.end}):`,
    lift('CTR', r.lift.ctr),
    lift('CVR', r.lift.cvr),
    lift('ROAS', r.lift.roas),
  ]);
}
