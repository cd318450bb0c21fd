// Lookalike audiences of a recommendation, made real on the Meta account: the 1 %, 3 % and 5 %
// lookalikes of its chosen source, per country group (the recommendation's countries together) or
// per country. A lookalike that exists already is reused: the one this product recorded, or, when
// Meta answers that an identical one exists (2654), that one, looked up on the account. Meta takes
// hours to populate a new lookalike: each is stored with its state, and `all_ready` says whether an
// ad set that uses them can be applied now. Dry run by default: without `confirm`, nothing is
// created and nothing is stored.
import type { AppContext } from '../context.ts';
import { MetaApiError } from '../meta/errors.ts';
import { createLookalike, findLookalike, isDuplicateLookalike, type LookalikeIdentity, type MetaAudienceStatus, readAudience } from '../meta/lookalikes.ts';
import { accountSourceAudiences, findStoredLookalike, specialAdCategoriesOf, type StoredLookalike, upsertLookalike, usableLookalikesOf } from '../store/lookalikes.ts';
import { getRecommendation } from '../store/runs.ts';
import { auditChange } from './audit.ts';
import { ConflictError, InputError, NotFoundError } from './errors.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import { metaClientFor, MetaUpstreamError, translate } from './meta.ts';

/** Meta's minimum: a source needs at least 100 people in one country. */
export const MIN_SOURCE_PEOPLE = 100;
/** Meta's advice: a source of 1,000 to 5,000 people makes a better lookalike. */
export const RECOMMENDED_SOURCE_PEOPLE = { min: 1_000, max: 5_000 };
/** Special ad categories in which Meta allows no lookalikes. */
const NO_LOOKALIKES = new Set(['HOUSING', 'EMPLOYMENT', 'FINANCIAL_PRODUCTS_SERVICES', 'CREDIT']);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface EnsureLookalikesRequest {
  recommendationId: string;
  /** False (the default everywhere): a dry run that says what would be created or reused. */
  confirm: boolean;
  /** One lookalike per country and ratio instead of one per ratio for the countries together. */
  perCountry?: boolean;
  /** The source to use instead of the recommendation's: a custom audience on the account. */
  sourceAudienceId?: string;
}

export interface LookalikeOutcome {
  name: string;
  source_audience_id: string;
  ratio: number;
  countries: string[];
  /** create: would be created (dry run); created; reused: recorded by an earlier call; found: Meta had an identical one (2654), now recorded. */
  action: 'create' | 'created' | 'reused' | 'found';
  audience_id: string | null;
  /** planned: dry run, not made yet. */
  state: 'planned' | 'populating' | 'ready' | 'unusable';
  detail: string | null;
}

export interface EnsureLookalikesResult {
  recommendation_id: string;
  dry_run: boolean;
  source: { audience_id: string; name: string | null; size_lower: number | null; size_upper: number | null; advice: string | null; chosen: string } | null;
  lookalikes: LookalikeOutcome[];
  /** Every lookalike is ready: an ad set that uses them can be applied now. */
  all_ready: boolean;
  message: string;
}

export async function ensureLookalikes(ctx: AppContext, req: EnsureLookalikesRequest): Promise<EnsureLookalikesResult> {
  if (!UUID.test(req.recommendationId)) throw new InputError('recommendation_id', `must be a UUID, got ${JSON.stringify(req.recommendationId.slice(0, 80))}`);
  const rec = await getRecommendation(ctx.db, req.recommendationId.toLowerCase());
  if (rec === null) throw new NotFoundError(`no recommendation ${req.recommendationId}`);
  const dryRun = !req.confirm;
  if (rec.lookalikes.length === 0) {
    return { recommendation_id: rec.recommendation_id, dry_run: dryRun, source: null, lookalikes: [], all_ready: true, message: 'The recommendation proposes no lookalikes: nothing to create' };
  }
  const forbidden = (await specialAdCategoriesOf(ctx.db, rec.campaign_id)).filter((c) => NO_LOOKALIKES.has(c));
  if (forbidden.length > 0) throw new ConflictError(`campaign ${rec.campaign_id} has the special ad category ${forbidden.join(', ')}, in which Meta allows no lookalike audiences; nothing was created`);
  const { client, accountId } = metaClientFor(ctx);
  const chosen = await chooseSource(ctx, rec, req.sourceAudienceId ?? null, accountId);
  const perCountry = req.perCountry ?? chosen.perCountry;
  const first = await translate(() => readAudience(client, chosen.id));
  // Meta counts the people per country and does not say how many of the source live in each; its
  // lower bound for the whole source is the best this can check (Meta itself refuses the rest).
  if (first.sizeLower === null || first.sizeLower < MIN_SOURCE_PEOPLE) {
    throw new ConflictError(`the source audience ${first.id}${first.name ? ` (${first.name})` : ''} holds ${first.sizeLower === null ? 'an unknown number of' : `about ${first.sizeLower.toLocaleString('en')}`} people; Meta needs at least ${MIN_SOURCE_PEOPLE} people in one country to make a lookalike (${RECOMMENDED_SOURCE_PEOPLE.min.toLocaleString('en')}–${RECOMMENDED_SOURCE_PEOPLE.max.toLocaleString('en')} recommended). Nothing was created`);
  }
  const advice = first.sizeLower! < RECOMMENDED_SOURCE_PEOPLE.min
    ? `the source holds about ${first.sizeLower!.toLocaleString('en')} people: enough for Meta (${MIN_SOURCE_PEOPLE} in one country), below the ${RECOMMENDED_SOURCE_PEOPLE.min.toLocaleString('en')}–${RECOMMENDED_SOURCE_PEOPLE.max.toLocaleString('en')} Meta recommends for a lookalike that resembles it well`
    : null;

  const outcomes: LookalikeOutcome[] = [];
  for (const proposal of rec.lookalikes) {
    const groups = perCountry ? proposal.country_codes.map((c) => [c]) : [proposal.country_codes];
    for (const group of groups) {
      const identity: LookalikeIdentity = { originAudienceId: first.id, ratioPct: Math.round(proposal.ratio * 100), countries: [...new Set(group.map((c) => c.toUpperCase()))].sort() };
      const name = `Lookalike ${identity.ratioPct}% - ${identity.countries.join('+')} - source ${identity.originAudienceId}`;
      try {
        outcomes.push(await ensureOne(ctx, { client, accountId, identity, name, dryRun }));
      } catch (error) {
        const done = outcomes.filter((o) => o.audience_id !== null).map((o) => `${o.name} (${o.audience_id}, ${o.action})`);
        if (error instanceof MetaApiError) {
          throw new MetaUpstreamError(`${error.message}. ${done.length === 0 ? 'No lookalike was made.' : `Made or reused before the failure, and recorded: ${done.join('; ')}.`} Running again reuses them and continues`, error);
        }
        throw error;
      }
    }
  }
  const allReady = outcomes.every((o) => o.state === 'ready');
  const waiting = outcomes.filter((o) => o.state === 'populating').length;
  const message = dryRun
    ? `Dry run: ${outcomes.filter((o) => o.action === 'create').length} lookalike(s) would be created, ${outcomes.filter((o) => o.action !== 'create').length} reused; nothing was created or stored (confirm to create them)`
    : allReady
      ? `${outcomes.length} lookalike(s) ready: an ad set that uses them can be applied now`
      : `${waiting} lookalike(s) still populating (Meta takes 1 to 6 hours): an ad set that uses them is applied once they are ready; ask again to check`;
  return { recommendation_id: rec.recommendation_id, dry_run: dryRun, source: { audience_id: first.id, name: first.name, size_lower: first.sizeLower, size_upper: first.sizeUpper, advice, chosen: chosen.why }, lookalikes: outcomes, all_ready: allReady, message: advice === null ? message : `${message}. Note: ${advice}` };
}

/**
 * The lookalikes' source: the one asked for; else one whose lookalikes of these countries and
 * ratios are recorded already (made by an earlier call, `--source` included: an apply, which names
 * no source, must find what was made for it); else the recommendation's, when it is an audience on
 * the account; else the recommendation's best custom audience that is on the account. The engine
 * may propose a source that does not exist yet (converters or pixel visitors of the campaign, to be
 * made from the pixel); it is said, and not guessed at.
 */
async function chooseSource(ctx: AppContext, rec: Recommendation, explicit: string | null, accountId: string): Promise<{ id: string; why: string; perCountry: boolean }> {
  if (explicit !== null) {
    if (!/^\d{1,30}$/.test(explicit)) throw new InputError('source', `must be a custom audience id (digits), got ${JSON.stringify(explicit.slice(0, 60))}`);
    return { id: explicit, why: 'the source asked for', perCountry: false };
  }
  const recorded = recordedSource(rec, await usableLookalikesOf(ctx.db, accountId));
  if (recorded !== null) return { ...recorded, why: `the source of the identical lookalikes recorded already (${recorded.perCountry ? 'one per country and ratio' : 'one per ratio for the countries together'})` };
  const proposed = rec.lookalikes[0]!.source_audience_id;
  const onAccount = await accountSourceAudiences(ctx.db);
  const ids = new Set(onAccount.map((a) => a.audienceId));
  if (ids.has(proposed)) return { id: proposed, why: "the recommendation's source", perCountry: false };
  const real = rec.custom_audiences.find((c) => ids.has(c.audience_id));
  if (real !== undefined) return { id: real.audience_id, why: `the recommendation's best custom audience on the account (its first source, ${proposed}, is one it proposes to build and is not on the account)`, perCountry: false };
  const listed = onAccount.slice(0, 10).map((a) => `${a.audienceId}${a.name ? ` (${a.name})` : ''}`).join(', ');
  throw new ConflictError(`the recommendation's lookalike source ${proposed} is an audience it proposes to build, not one on the account, and none of its custom audiences is on the account; make it in Ads Manager (or pick one) and give it as the source${listed === '' ? ' (the last sync found no custom audience on the account)' : `: ${listed}`}`);
}

/**
 * A source of which every lookalike the recommendation proposes is recorded on the account (not
 * unusable), for the countries together or one per country; the recommendation's own source
 * first, then its custom audiences in order, then the most recently made. Null when none is.
 */
export function recordedSource(rec: Pick<Recommendation, 'lookalikes' | 'custom_audiences'>, recorded: readonly Pick<StoredLookalike, 'originAudienceId' | 'ratioPct' | 'countries'>[]): { id: string; perCountry: boolean } | null {
  const have = new Set(recorded.map((l) => `${l.originAudienceId}|${l.ratioPct}|${l.countries.join(',')}`));
  const wanted = rec.lookalikes.map((p) => ({ ratioPct: Math.round(p.ratio * 100), countries: [...new Set(p.country_codes.map((c) => c.toUpperCase()))].sort() }));
  const covers = (origin: string, perCountry: boolean) => wanted.every((w) => (perCountry ? w.countries.map((c) => [c]) : [w.countries]).every((group) => have.has(`${origin}|${w.ratioPct}|${group.join(',')}`)));
  const preferred = [rec.lookalikes[0]?.source_audience_id, ...rec.custom_audiences.map((c) => c.audience_id)].filter((x): x is string => x !== undefined);
  const origins = [...new Set([...preferred, ...recorded.map((l) => l.originAudienceId)])];
  for (const origin of origins) {
    if (covers(origin, false)) return { id: origin, perCountry: false };
    if (covers(origin, true)) return { id: origin, perCountry: true };
  }
  return null;
}

async function ensureOne(
  ctx: AppContext,
  p: { client: ReturnType<typeof metaClientFor>['client']; accountId: string; identity: LookalikeIdentity; name: string; dryRun: boolean },
): Promise<LookalikeOutcome> {
  const base = { name: p.name, source_audience_id: p.identity.originAudienceId, ratio: p.identity.ratioPct / 100, countries: p.identity.countries };
  const stored = await findStoredLookalike(ctx.db, { accountId: p.accountId, ...p.identity });
  if (stored !== null) {
    // Recorded before: its state is read again from Meta until it is ready (a dry run only reads).
    if (stored.state !== 'populating') return outcome(base, 'reused', stored);
    const now = await readAudience(p.client, stored.audienceId);
    const refreshed = p.dryRun ? { ...stored, state: now.state, statusMessage: now.statusMessage } : await record(ctx, { ...stored, state: now.state, statusMessage: now.statusMessage }, 'lookalike_checked');
    return outcome(base, 'reused', refreshed);
  }
  if (p.dryRun) return { ...base, action: 'create', audience_id: null, state: 'planned', detail: 'would be created' };
  let made: MetaAudienceStatus;
  let origin: 'created' | 'found';
  try {
    const id = await createLookalike(p.client, p.accountId, p.identity, p.name);
    made = await readAudience(p.client, id);
    origin = 'created';
  } catch (error) {
    if (!isDuplicateLookalike(error)) throw error;
    // Meta has an identical one (made in Ads Manager, or by a call that failed before recording it): use it.
    const found = await findLookalike(p.client, p.accountId, p.identity);
    if (found === null) throw new ConflictError(`Meta refused ${p.name} as a duplicate (code 2654), but no lookalike of source ${p.identity.originAudienceId}, ${p.identity.ratioPct} %, ${p.identity.countries.join('+')} is on the account for this token; check it in Ads Manager`);
    made = found;
    origin = 'found';
  }
  const saved = await record(ctx, { audienceId: made.id, accountId: p.accountId, ...p.identity, name: made.name ?? p.name, state: made.state, origin, statusMessage: made.statusMessage }, origin === 'created' ? 'lookalike_created' : 'lookalike_found');
  return outcome(base, origin, saved);
}

async function record(ctx: AppContext, l: Omit<StoredLookalike, 'readyAt' | 'createdAt' | 'checkedAt'>, action: string): Promise<StoredLookalike> {
  return ctx.db.transaction(async (tx) => {
    const saved = await upsertLookalike(tx, l, ctx.clock.now());
    await auditChange(tx, ctx, { action, summary: { audience_id: saved.audienceId, origin_audience_id: saved.originAudienceId, ratio_pct: saved.ratioPct, countries: saved.countries.join('+'), state: saved.state } });
    return saved;
  });
}

function outcome(base: Omit<LookalikeOutcome, 'action' | 'audience_id' | 'state' | 'detail'>, action: LookalikeOutcome['action'], l: Pick<StoredLookalike, 'audienceId' | 'state' | 'statusMessage'>): LookalikeOutcome {
  return { ...base, action, audience_id: l.audienceId, state: l.state, detail: l.statusMessage };
}
