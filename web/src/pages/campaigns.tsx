import { useEffect, useState } from 'preact/hooks';
import { api, apiPage } from '../api.ts';
import type { CampaignOverview, RunResponse } from '../api-types.ts';
import { type Column, SortableTable } from '../components/table.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { dateTime, duration, money, number, percent, ratio } from '../format.ts';
import { href } from '../router.ts';
import { canWrite, type Session } from '../session.ts';

export function CampaignsPage({ session }: { session: Session }) {
  const [load, reload] = useLoad(() => apiPage<CampaignOverview>('/meta/targeting/campaigns/overview?limit=500'), 'campaigns');
  const [running, setRunning] = useState<Record<string, number>>({});
  const [outcome, setOutcome] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const run = async (campaignId: string, generateStub = false) => {
    setRunning((r) => ({ ...r, [campaignId]: Date.now() }));
    setOutcome(null);
    try {
      const res = await api<RunResponse>('/meta/targeting/run', { method: 'POST', json: { campaign_id: campaignId, mode: 'stub', force_refresh: true, ...(generateStub ? { generate_stub: true } : {}) } });
      setOutcome({ kind: 'ok', text: `${res.message} (run ${res.run_id}, ${duration(res.duration_ms)}).` });
      reload();
    } catch (error) {
      setOutcome({ kind: 'error', text: (error as Error).message });
    } finally {
      setRunning(({ [campaignId]: _, ...rest }) => rest);
    }
  };

  const writer = canWrite(session);
  const columns: Column<CampaignOverview>[] = [
    {
      key: 'campaign',
      label: 'Campaign',
      sortValue: (c) => c.name ?? c.campaign_id,
      render: (c) => (
        <>
          <a href={href('recommendation', c.campaign_id)}>{c.name ?? c.campaign_id}</a>
          <div class="sub">
            {c.campaign_id} · {c.source}
          </div>
        </>
      ),
    },
    {
      key: 'run',
      label: 'Latest run',
      sortValue: (c) => c.latest_run?.started_at ?? null,
      render: (c) =>
        c.latest_run === null ? (
          <span>never run</span>
        ) : (
          <>
            <span class={`badge ${c.latest_run.status}`}>{c.latest_run.status}</span> {dateTime(c.latest_run.started_at)}
            <div class="sub">
              {duration(c.latest_run.duration_ms)} · {c.latest_run.strategy}
              {c.latest_run.error ? ` · ${c.latest_run.error}` : ''}
            </div>
          </>
        ),
    },
    { key: 'ctr', label: 'CTR exp. / actual', numeric: true, sortValue: (c) => c.expected?.ctr ?? null, render: (c) => <Pair expected={percent(c.expected?.ctr)} actual={percent(c.actual.ctr)} /> },
    { key: 'cvr', label: 'CVR exp. / actual', numeric: true, sortValue: (c) => c.expected?.cvr ?? null, render: (c) => <Pair expected={percent(c.expected?.cvr)} actual={percent(c.actual.cvr)} /> },
    { key: 'roas', label: 'ROAS exp. / actual', numeric: true, sortValue: (c) => c.expected?.roas ?? null, render: (c) => <Pair expected={ratio(c.expected?.roas)} actual={ratio(c.actual.roas)} /> },
    { key: 'confidence', label: 'Confidence', numeric: true, sortValue: (c) => c.expected?.confidence ?? null, render: (c) => percent(c.expected?.confidence, 0) },
    {
      key: 'spend',
      label: 'Spend, 30 days',
      numeric: true,
      sortValue: (c) => c.spend.amount,
      render: (c) => (
        <>
          {money(c.spend.amount, c.currency)}
          <div class="sub">budget {money(c.daily_budget, c.currency)}/day</div>
        </>
      ),
    },
  ];
  if (writer) {
    columns.push({
      key: 'action',
      label: 'Action',
      render: (c) => (running[c.campaign_id] !== undefined ? <RunProgress since={running[c.campaign_id]!} /> : (
        <button type="button" onClick={() => void run(c.campaign_id)} aria-label={`Run now: ${c.name ?? c.campaign_id}`}>
          Run now
        </button>
      )),
    });
  }

  return (
    <section>
      <p class="lede">Every stored campaign with its latest optimization run. Expected rates are the latest recommendations'; actual rates are the last 7 days of delivery.</p>
      {outcome && (
        <p class={`state ${outcome.kind === 'ok' ? 'ok' : 'error'}`} role={outcome.kind === 'ok' ? 'status' : 'alert'}>
          {outcome.text}
        </p>
      )}
      {writer && <GenerateStub onRun={(id) => void run(id, true)} busy={Object.keys(running).length > 0} />}
      {load.state === 'loading' && <Loading what="campaigns" />}
      {load.state === 'error' && <ErrorBox error={load.error} retry={reload} />}
      {load.state === 'ready' && load.value.items.length === 0 && (
        <Empty>
          No campaigns yet: import a CSV on the <a href={href('import')}>Import</a> page, or generate a STUB market{writer ? ' with the form above' : ' (a manager or admin can)'}.
        </Empty>
      )}
      {load.state === 'ready' && load.value.items.length > 0 && <SortableTable caption={`${number(load.value.items.length)} campaign(s)`} rows={load.value.items} columns={columns} rowKey={(c) => c.campaign_id} />}
    </section>
  );
}

function Pair({ expected, actual }: { expected: string; actual: string }) {
  return (
    <span>
      {expected} <span class="sub">/ {actual}</span>
    </span>
  );
}

/** A run answers when it is done; until then the elapsed time shows it is under way. */
function RunProgress({ since }: { since: number }) {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(t);
  }, []);
  return (
    <span role="status" class="progress">
      <progress aria-label="Run in progress" /> running… {number((now - since) / 1000, 1)} s
    </span>
  );
}

function GenerateStub({ onRun, busy }: { onRun: (campaignId: string) => void; busy: boolean }) {
  const [id, setId] = useState('');
  const valid = /^\d{1,20}$/.test(id);
  return (
    <form
      class="inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onRun(id);
      }}
    >
      <label for="stub-campaign">Generate a STUB market for campaign id</label>
      <input id="stub-campaign" inputMode="numeric" value={id} onInput={(e) => setId((e.target as HTMLInputElement).value.trim())} aria-describedby="stub-help" />
      <button type="submit" disabled={!valid || busy}>
        Generate and run
      </button>
      <span id="stub-help" class="help">
        Synthetic data (seeded), refused on a store holding real data. Digits only.
      </span>
    </form>
  );
}
