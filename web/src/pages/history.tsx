import { useState } from 'preact/hooks';
import { api, apiPage } from '../api.ts';
import type { HistoryEntry, RollbackResponse } from '../api-types.ts';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { change, dateTime, percent, ratio } from '../format.ts';
import { href } from '../router.ts';
import { isAdmin, type Session } from '../session.ts';

export function HistoryPage({ session }: { session: Session }) {
  const [cursor, setCursor] = useState<string | null>(null);
  const [load, reload] = useLoad(() => apiPage<HistoryEntry>(`/meta/targeting/history?limit=50${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`), cursor ?? 'first');
  if (load.state === 'loading') return <Loading what="the targeting history" />;
  if (load.state === 'error') return <ErrorBox error={load.error} retry={reload} />;
  if (load.value.items.length === 0) {
    return (
      <Empty>
        No history yet: import a CSV or generate a STUB market, run it, then apply a recommendation from its <a href={href('recommendation')}>Recommendation</a> page.
      </Empty>
    );
  }
  // Rows already rolled back (on this page) offer no second rollback; the API refuses one anyway (409).
  const rolledBack = new Map(load.value.items.flatMap((h) => (h.rolls_back_history_id ? [[h.rolls_back_history_id, h.id] as const] : [])));
  return (
    <section>
      <div class="table-wrap" tabIndex={0} role="region" aria-label="Targeting history">
        <table>
          <caption>Targeting changes, latest first (before: the window before the change; after: delivery since)</caption>
          <thead>
            <tr>
              <th scope="col">#</th>
              <th scope="col">When · who</th>
              <th scope="col">Campaign · ad set</th>
              <th scope="col">Kind</th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">CTR before → after</th>
              <th scope="col" class="num">CVR before → after</th>
              <th scope="col" class="num">ROAS before → after</th>
              {isAdmin(session) && <th scope="col">Rollback</th>}
            </tr>
          </thead>
          <tbody>
            {load.value.items.map((h) => (
              <tr key={h.id} data-testid={`history-${h.id}`}>
                <td>{h.id}</td>
                <td>
                  {dateTime(h.applied_at)}
                  <div class="sub">{h.actor ?? 'unknown'}</div>
                </td>
                <td>
                  <a href={href('recommendation', h.campaign_id)}>{h.campaign_id}</a>
                  <div class="sub">{h.adset_id ?? '(no ad set)'}</div>
                </td>
                <td>
                  {h.dry_run ? <span class="badge partial">dry run</span> : <span class="badge completed">{h.mode === 'live' ? 'LIVE' : 'STUB'} {h.rolls_back_history_id ? 'rollback' : 'change'}</span>}
                  {h.rolls_back_history_id && <div class="sub">rollback of #{h.rolls_back_history_id}</div>}
                  {rolledBack.has(h.id) && <div class="sub">rolled back by #{rolledBack.get(h.id)}</div>}
                  {h.experiment_arm && <div class="sub">experiment {h.experiment_arm}</div>}
                </td>
                <td>{h.state === 'pending' ? <span class="badge partial">… pending</span> : h.success ? '✓ success' : <span class="error-text">✗ error: {h.error_message}</span>}</td>
                <Metric before={h.before_ctr} after={h.after_ctr} show={percent} />
                <Metric before={h.before_cvr} after={h.after_cvr} show={percent} />
                <Metric before={h.before_roas} after={h.after_roas} show={ratio} />
                {isAdmin(session) && <td>{!h.dry_run && h.success && h.state !== 'pending' && !rolledBack.has(h.id) ? <Rollback entry={h} onDone={reload} /> : '–'}</td>}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="pager">
        {cursor !== null && (
          <button type="button" onClick={() => setCursor(null)}>
            Latest
          </button>
        )}
        {load.value.next !== null && (
          <button type="button" onClick={() => setCursor(load.value.next)}>
            Older changes
          </button>
        )}
      </p>
    </section>
  );
}

function Metric({ before, after, show }: { before: number | null; after: number | null; show: (n: number | null) => string }) {
  return (
    <td class="num">
      {show(before)} → {show(after)}
      <div class="sub">{after === null ? 'no delivery yet' : change(before, after)}</div>
    </td>
  );
}

/** Dry run first (shows what the rollback would set), then the rollback itself. */
function Rollback({ entry, onDone }: { entry: HistoryEntry; onDone: () => void }) {
  const [preview, setPreview] = useState<RollbackResponse | null>(null);
  const [result, setResult] = useState<RollbackResponse | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const call = async (dryRun: boolean) => {
    setBusy(true);
    setError(null);
    try {
      const res = await api<RollbackResponse>(`/meta/targeting/rollback/${entry.id}`, { method: 'POST', json: { mode: entry.mode, dry_run: dryRun } });
      if (dryRun) setPreview(res);
      else {
        setResult(res);
        onDone();
      }
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  if (result !== null) return <span role="status">{result.message}</span>;
  return (
    <div aria-live="polite">
      {preview === null ? (
        <button type="button" disabled={busy} onClick={() => void call(true)} aria-label={`Preview the rollback of change ${entry.id}`}>
          Preview
        </button>
      ) : (
        <>
          <div class="note" data-testid={`rollback-preview-${entry.id}`}>
            <p>{preview.message}</p>
            <ul>
              {preview.changes.map((c, i) => (
                <li key={i}>
                  {c.action} ad set {c.adset_id ?? '(none)'}
                  {c.diff.length > 0 && `: ${c.diff.map((d) => d.field).join(', ')}`}
                  {c.note !== null && ` (${c.note})`}
                </li>
              ))}
            </ul>
          </div>
          <button type="button" class="primary" disabled={busy} onClick={() => void call(false)} aria-label={`Roll back change ${entry.id}`}>
            Roll back
          </button>
        </>
      )}
      {error !== null && <ErrorBox error={error} />}
    </div>
  );
}
