import { parseArgs } from 'node:util';
import type { AppContext } from '../context.ts';
import { FAULT_KINDS, FakeGraphApi, type FaultKind } from '../meta/fake-graph-api.ts';
import { addDays, isoDate } from '../services/dates.ts';
import { metaCheck, metaDiscover, metaSync } from '../services/meta.ts';
import { type CliIo, printJson, printLines, UsageError } from './io.ts';

export const checkUsage = 'meta check [--json]';
export const syncUsage = 'meta sync [--campaign ID] [--days N] [--json]';
export const fakeServerUsage = 'meta fake-server [--port N] [--token T] [--seed S] [--campaigns N] [--adsets N] [--days N] [--fault KIND[:TIMES]]...';

const whole = (name: string, text: string | undefined, min: number, max: number): number | undefined => {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`--${name}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(text)}`);
  return Number(text);
};

export async function metaCheckCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  const r = await metaCheck(ctx);
  if (values.json) return printJson(io, r);
  const v = r.apiVersion;
  printLines(io, [
    `Token valid: user ${r.user.id}${r.user.name ? ` (${r.user.name})` : ''}; permissions ${r.permissions.granted.join(', ') || 'none'}${r.permissions.missing.length > 0 ? `; MISSING ${r.permissions.missing.join(', ')}` : ''}`,
    `Ad account ${r.account.id}${r.account.name ? ` (${r.account.name})` : ''}: reachable, currency ${r.account.currency}, status ${r.account.status ?? 'unknown'}, time zone ${r.account.timezone ?? 'unknown'}`,
    `API ${v.version} at ${r.graphUrl}: ${v.expires === null ? 'Meta has not announced its expiry yet' : `${v.state === 'expired' ? 'EXPIRED on' : 'expires'} ${v.expires}${v.daysLeft !== null && v.daysLeft >= 0 ? ` (${v.daysLeft} days${v.state === 'expiring' ? ': move to a newer version soon' : ''})` : ''}`}`,
    `Usage: ${r.usage === null ? 'no usage headers' : `${r.usage.maxPct} % of the nearest limit${r.usage.source ? ` (${r.usage.source})` : ''}${r.usage.accessTier ? `, access tier ${r.usage.accessTier}` : ''}${r.usage.regainMs > 0 ? `, throttled for ${Math.ceil(r.usage.regainMs / 60_000)} min` : ''}`}`,
  ]);
}

export async function metaSyncCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { campaign: { type: 'string' }, days: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  const days = whole('days', values.days, 1, 1110);
  const r = await metaSync(ctx, {
    ...(values.campaign !== undefined ? { campaignId: values.campaign } : {}),
    ...(days !== undefined ? { days } : {}),
    ...(io.progressTty ? { onProgress: (m: string) => io.stderr.write(`${m}\n`) } : {}),
  });
  if (values.json) return printJson(io, r);
  printLines(io, [
    `Synced ad account ${r.account.id} (${r.account.currency}; its days in ${r.account.timezone}, the last complete one ${r.account.lastCompleteDay}): ${r.campaigns.length} campaign(s), ${r.audiences} custom audience(s) in ${r.durationMs} ms, ${r.calls.requests} request(s), ${r.calls.retries} retried.`,
    ...r.campaigns.map((c) => `  campaign ${c.campaignId}${c.name ? ` ${c.name}` : ''}${c.specialAdCategories.length > 0 ? ` [${c.specialAdCategories.join(', ')}]` : ''}: ${c.activeAdsets}/${c.adsets} ad set(s) active, ${c.range === null ? 'already up to date' : `${c.range.since}..${c.range.until}: ${c.rows.country} country, ${c.rows.demographic} age×gender, ${c.rows.segment} credited segment row(s)`}; ${c.segments.total} segment(s) with evidence, ${c.segments.fromOneAdset} of them from one ad set only; audience size known for ${c.sizes.sized} of ${c.sizes.targeted} targeted interest(s) and behavior(s); ${c.candidates} discovered interest(s) kept for exploration${c.skipped.country + c.skipped.demographic > 0 ? ` (${c.skipped.country + c.skipped.demographic} row(s) outside the engine's breakdowns skipped)` : ''}`),
  ]);
}

export async function metaFakeServerCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { port: { type: 'string', default: '0' }, token: { type: 'string', default: 'FAKE-local-demo-token-not-a-secret' }, seed: { type: 'string', default: 'fake-graph' }, campaigns: { type: 'string' }, adsets: { type: 'string' }, days: { type: 'string' }, fault: { type: 'string', multiple: true, default: [] } },
    strict: true,
    allowPositionals: false,
  });
  const faults = values.fault.map((f) => {
    const [kind, times] = f.split(':');
    if (!(FAULT_KINDS as readonly string[]).includes(kind ?? '')) throw new UsageError(`--fault: ${JSON.stringify(kind)} is not one of ${FAULT_KINDS.join(', ')}`);
    return { kind: kind as FaultKind, times: whole('fault times', times ?? '1', 1, 1000)! };
  });
  const campaigns = whole('campaigns', values.campaigns, 1, 100);
  const adsets = whole('adsets', values.adsets, 1, 100);
  const days = whole('days', values.days, 1, 730);
  const fake = new FakeGraphApi({
    accessToken: values.token,
    endDate: addDays(isoDate(ctx.clock.now()), -1),
    seed: values.seed,
    ...(campaigns !== undefined ? { campaigns } : {}),
    ...(adsets !== undefined ? { adsetsPerCampaign: adsets } : {}),
    ...(days !== undefined ? { days } : {}),
  });
  for (const f of faults) fake.inject(f);
  const origin = await fake.listen(whole('port', values.port, 0, 65535));
  printLines(io, [
    `Fake Graph API listening on ${origin} (127.0.0.1 only; read-only). Point LIVE mode at it with:`,
    `  META_GRAPH_URL=${origin} META_AD_ACCOUNT_ID=${fake.adAccountId} META_ACCESS_TOKEN=${values.token}`,
    `Campaigns: ${fake.market.campaigns.map((c) => c.campaignId).join(', ')}. Stop with Ctrl-C.`,
  ]);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await fake.close();
}

export const discoverUsage = 'meta discover --campaign ID [--seeds N] [--json]';

export async function metaDiscoverCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { campaign: { type: 'string' }, seeds: { type: 'string' }, json: { type: 'boolean', default: false } }, strict: true, allowPositionals: false });
  if (values.campaign === undefined) throw new UsageError('--campaign is required');
  const seeds = whole('seeds', values.seeds, 1, 25);
  const r = await metaDiscover(ctx, { campaignId: values.campaign, ...(seeds !== undefined ? { seeds } : {}) });
  if (values.json) return printJson(io, r);
  const bounds = (lo: number | null, hi: number | null) => (lo === null && hi === null ? 'size unknown' : `${(lo ?? 0).toLocaleString('en')}–${(hi ?? 0).toLocaleString('en')} people`);
  printLines(io, [
    `Campaign ${r.campaignId}: ${r.retired.length} retired interest(s) in its targeting${r.retired.length > 0 ? ':' : '.'}`,
    ...r.retired.map((x) => `  ${x.id} ${x.name}: ${x.reason}`),
    `Suggestions seeded with ${r.seeds.map((s) => s.name).join(', ') || 'nothing (no interest to start from)'}:`,
    ...r.suggestions.map((s) => `  ${s.id} ${s.name} (${bounds(s.sizeLower, s.sizeUpper)})${s.topic ? ` [${s.topic}]` : ''}`),
  ]);
}
