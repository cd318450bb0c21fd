import { useEffect, useState } from 'preact/hooks';
import { api, apiPage } from '../api.ts';
import type { ApplyResponse, CampaignOverview, Comparison, Recommendation } from '../api-types.ts';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { dateTime, money, percent, ratio } from '../format.ts';
import { href } from '../router.ts';
import { canWrite, isAdmin, type Session } from '../session.ts';
import { Audiences, Demographics, SegmentTable } from './recommendation-audience.tsx';
import { ExpectedRevenue, GeoSplit } from './recommendation-charts.tsx';
import { Trace } from './recommendation-trace.tsx';

export function RecommendationPage({ session, campaignId, adsetId }: { session: Session; campaignId: string | null; adsetId: string | null }) {
  // The plain list (not the overview, which reads every campaign's delivery): the picker needs names only.
  const [campaigns] = useLoad(() => apiPage<CampaignOverview>('/meta/targeting/campaigns?limit=500'), 'campaign-list');
  const chosen = campaignId ?? (campaigns.state === 'ready' ? campaigns.value.items.find((c) => c.last_data_day !== null)?.campaign_id ?? null : null);
  return (
    <section>
      <CampaignPicker campaigns={campaigns.state === 'ready' ? campaigns.value.items : []} value={chosen} />
      {campaigns.state === 'loading' && campaignId === null && <Loading what="campaigns" />}
      {campaigns.state === 'error' && <ErrorBox error={campaigns.error} />}
      {chosen === null && campaigns.state === 'ready' && (
        <Empty>
          No recommendation yet: generate a STUB market or import a CSV, then press Run now on the <a href={href('campaigns')}>Campaigns</a> page.
        </Empty>
      )}
      {chosen !== null && <RecommendationOf session={session} campaignId={chosen} adsetId={adsetId} />}
    </section>
  );
}

function CampaignPicker({ campaigns, value }: { campaigns: Pick<CampaignOverview, 'campaign_id' | 'name'>[]; value: string | null }) {
  if (campaigns.length === 0) return null;
  return (
    <p class="inline-form">
      <label for="campaign-pick">Campaign</label>
      <select id="campaign-pick" value={value ?? ''} onChange={(e) => (location.hash = href('recommendation', (e.target as HTMLSelectElement).value))}>
        {campaigns.map((c) => (
          <option key={c.campaign_id} value={c.campaign_id}>
            {c.name ?? c.campaign_id}
          </option>
        ))}
      </select>
    </p>
  );
}

function RecommendationOf({ session, campaignId, adsetId }: { session: Session; campaignId: string; adsetId: string | null }) {
  const [load, reload] = useLoad(async () => {
    const body = await api<Recommendation | Recommendation[]>(`/meta/targeting/recommendations/${encodeURIComponent(campaignId)}`);
    return Array.isArray(body) ? body : [body];
  }, campaignId);
  if (load.state === 'loading') return <Loading what="the recommendation" />;
  if (load.state === 'error') {
    return (load.error as { status?: number }).status === 404 ? (
      <Empty>
        Campaign {campaignId} has no recommendation yet: press Run now on the <a href={href('campaigns')}>Campaigns</a> page{canWrite(session) ? '' : ' (a manager or admin can)'}.
      </Empty>
    ) : (
      <ErrorBox error={load.error} retry={reload} />
    );
  }
  const recs = load.value;
  const rec = recs.find((r) => r.adset_id === adsetId) ?? recs[0]!;
  return (
    <>
      {recs.length > 1 && (
        <p class="inline-form">
          <label for="adset-pick">Ad set</label>
          <select id="adset-pick" value={rec.adset_id ?? ''} onChange={(e) => (location.hash = `${href('recommendation', campaignId)}?adset=${encodeURIComponent((e.target as HTMLSelectElement).value)}`)}>
            {recs.map((r) => (
              <option key={r.recommendation_id} value={r.adset_id ?? ''}>
                {r.adset_id ?? '(campaign without ad sets)'}
              </option>
            ))}
          </select>
        </p>
      )}
      <Document session={session} rec={rec} />
    </>
  );
}

function Document({ session, rec }: { session: Session; rec: Recommendation }) {
  const currency = rec.reasoning.currency;
  const [comparison, reloadComparison] = useLoad(() => api<Comparison>(`/meta/targeting/comparisons/${rec.recommendation_id}`), rec.recommendation_id);
  const cmp = comparison.state === 'ready' ? comparison.value : null;
  // User-timing marks: the browser test and npm run bench:dashboard read how long the page took.
  useEffect(() => void performance.mark('recommendation-shown'), [rec.recommendation_id]);
  useEffect(() => void (cmp !== null && performance.mark('recommendation-complete')), [cmp]);
  return (
    <div data-testid="recommendation" data-ready={comparison.state === 'ready' ? 'true' : 'false'}>
      <dl class="facts">
        <div>
          <dt>Budget</dt>
          <dd>{money(rec.total_budget, currency)} a day</dd>
        </div>
        <div>
          <dt>Expected CTR · CVR · ROAS</dt>
          <dd>
            {percent(rec.expected_ctr)} · {percent(rec.expected_cvr)} · {ratio(rec.expected_roas)}
          </dd>
        </div>
        <div>
          <dt>Confidence</dt>
          <dd>{percent(rec.confidence, 0)}</dd>
        </div>
        <div>
          <dt>Decided</dt>
          <dd>
            {dateTime(rec.created_at)} by {rec.reasoning.strategy}, from {rec.reasoning.window.start} to {rec.reasoning.window.end}
          </dd>
        </div>
      </dl>
      <h2>Geo split</h2>
      <GeoSplit rec={rec} comparison={cmp} />
      <h2>Expected revenue per country</h2>
      <ExpectedRevenue rec={rec} />
      <h2>Interests</h2>
      <SegmentTable rec={rec} kind="interests" />
      <h2>Behaviors</h2>
      <SegmentTable rec={rec} kind="behaviors" />
      <h2>Age and gender</h2>
      <Demographics rec={rec} />
      <h2>Audiences and frequency</h2>
      <Audiences rec={rec} />
      <h2>Against the current targeting</h2>
      {comparison.state === 'loading' && <Loading what="the targeting in force" />}
      {comparison.state === 'error' && <ErrorBox error={comparison.error} retry={reloadComparison} />}
      {cmp !== null && <Diff comparison={cmp} />}
      {canWrite(session) && <Apply session={session} rec={rec} onApplied={reloadComparison} />}
      <h2>Reasoning</h2>
      <Trace trace={rec.reasoning.trace} />
    </div>
  );
}

function Diff({ comparison }: { comparison: Comparison }) {
  const intro = comparison.in_force === null ? 'Nothing has been applied to this ad set yet: applying sets every field below.' : `In force: history row ${comparison.in_force.history_id}.`;
  if (comparison.changes.length === 0) return <p class="state ok">This targeting is already in force (history row {comparison.in_force?.history_id}); applying changes nothing.</p>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Targeting changes">
      <p>{intro}</p>
      <table class="diff">
        <caption>What applying would change</caption>
        <thead>
          <tr>
            <th scope="col">Field</th>
            <th scope="col">Now</th>
            <th scope="col">After applying</th>
          </tr>
        </thead>
        <tbody>
          {comparison.changes.map((c) => (
            <tr key={c.field}>
              <th scope="row">{c.field}</th>
              <td>
                <del>{c.before === null ? '(not set)' : describe(c.before)}</del>
              </td>
              <td>
                <ins>{describe(c.after)}</ins>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A targeting field in words: the names of listed things, the numbers of the rest; the JSON on demand. */
function describe(value: unknown) {
  return (
    <>
      <span>{summary(value)}</span>
      <details class="json">
        <summary>exact JSON</summary>
        <pre>{JSON.stringify(value, null, 1)}</pre>
      </details>
    </>
  );
}

function summary(value: unknown): string {
  if (value === null || value === undefined) return '(not set)';
  if (Array.isArray(value)) return value.map(summary).join('; ') || '(none)';
  if (typeof value !== 'object') return String(value);
  const o = value as Record<string, unknown>;
  if (typeof o.name === 'string') return o.name;
  return Object.entries(o)
    .map(([k, v]) => `${k}: ${summary(v)}`)
    .join(' · ');
}

function Apply({ session, rec, onApplied }: { session: Session; rec: Recommendation; onApplied: () => void }) {
  const [busy, setBusy] = useState(false);
  const [dry, setDry] = useState<ApplyResponse | null>(null);
  const [done, setDone] = useState<ApplyResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const call = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<ApplyResponse>(`/meta/targeting/apply/${rec.recommendation_id}`, { method: 'POST', json: { recommendation_id: rec.recommendation_id, mode: 'stub', dry_run: dryRun } });
      if (dryRun) setDry(res);
      else {
        setDone(res);
        onApplied();
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="apply" aria-live="polite">
      <h3>Apply (STUB: simulated, recorded in the history)</h3>
      <button type="button" disabled={busy} onClick={() => void call(true)}>
        Dry run
      </button>
      {isAdmin(session) ? (
        <>
          <button type="button" class="primary" disabled={busy || dry === null} onClick={() => void call(false)} aria-describedby="apply-help">
            Apply
          </button>
          <span id="apply-help" class="help">
            {dry === null ? ' Run the dry run first: Apply opens once you have seen what it does.' : ' Applies exactly the change in the table above.'}
          </span>
        </>
      ) : (
        <span class="help"> Applying for real takes an admin.</span>
      )}
      {error !== null && <ErrorBox error={error} />}
      {dry && (
        <p class="state ok" data-testid="dry-run-result">
          Dry run: {dry.message}. Would set countries {dry.applied_changes.countries.join(', ')}, ages {dry.applied_changes.age_range}, {dry.applied_changes.interests_count} interests, {dry.applied_changes.behaviors_count} behaviors, {dry.applied_changes.lookalikes_count} lookalikes (the exact fields are in the table above).
        </p>
      )}
      {done && (
        <p class={`state ${done.success ? 'ok' : 'error'}`} data-testid="apply-result">
          {done.message}
          {done.history_id !== null && (
            <>
              {' '}
              — history row {done.history_id}: see <a href={href('history')}>History</a>.
            </>
          )}
        </p>
      )}
    </div>
  );
}
