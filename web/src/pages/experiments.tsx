import { api } from '../api.ts';
import type { ArmReport, ExperimentReport, ExperimentSummary, Lift } from '../api-types.ts';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { useLoad } from '../components/use-load.ts';
import { dateTime, money, number, percent, ratio } from '../format.ts';
import { href } from '../router.ts';

export function ExperimentsPage({ experimentId }: { experimentId: string | null }) {
  const [load, reload] = useLoad(() => api<ExperimentSummary[]>('/meta/targeting/experiments?limit=100'), 'experiments');
  return (
    <section>
      {load.state === 'loading' && <Loading what="experiments" />}
      {load.state === 'error' && <ErrorBox error={load.error} retry={reload} />}
      {load.state === 'ready' && load.value.length === 0 && (
        <Empty>
          No holdout experiment yet: start one with <code>npx targeting-optimizer experiment start --campaign ID --holdout 0.5</code> or <code>POST /meta/targeting/experiments</code> on a campaign with several ad sets.
        </Empty>
      )}
      {load.state === 'ready' && load.value.length > 0 && (
        <ul class="cards">
          {load.value.map((e) => (
            <li key={e.experiment_id}>
              <a href={href('experiments', e.experiment_id)} aria-current={e.experiment_id === experimentId ? 'true' : undefined}>
                Campaign {e.campaign_id}, started {dateTime(e.started_at)}
              </a>{' '}
              <span class="sub">
                holdout {percent(e.holdout_share, 0)} of {e.adsets} ad sets
              </span>
            </li>
          ))}
        </ul>
      )}
      {experimentId !== null && <Report id={experimentId} />}
    </section>
  );
}

function Report({ id }: { id: string }) {
  const [load, reload] = useLoad(() => api<ExperimentReport>(`/meta/targeting/experiments/${encodeURIComponent(id)}`), id);
  if (load.state === 'loading') return <Loading what="the lift report" />;
  if (load.state === 'error') return <ErrorBox error={load.error} retry={reload} />;
  const r = load.value;
  return (
    <article>
      <h2>Experiment {r.experiment_id}</h2>
      <p>
        Delivery from {r.period.start} to {r.period.end ?? '(none yet)'} · status <strong>{r.status.replaceAll('_', ' ')}</strong>
        {r.reason && ` — ${r.reason}`}
      </p>
      <div class="table-wrap"><table class="compact">
        <caption>Arms</caption>
        <thead>
          <tr>
            <th scope="col">Arm</th>
            <th scope="col" class="num">Ad sets</th>
            <th scope="col" class="num">Impressions</th>
            <th scope="col" class="num">Spend</th>
            <th scope="col" class="num">CTR</th>
            <th scope="col" class="num">CVR</th>
            <th scope="col" class="num">ROAS</th>
          </tr>
        </thead>
        <tbody>
          <Arm name="Treatment (recommendation applied)" arm={r.arms.treatment} currency={r.currency} />
          <Arm name="Holdout (targeting kept)" arm={r.arms.holdout} currency={r.currency} />
        </tbody>
      </table></div>
      <div class="table-wrap"><table class="compact">
        <caption>Lift of treatment over holdout, with its 95 % interval</caption>
        <thead>
          <tr>
            <th scope="col">Rate</th>
            <th scope="col" class="num">Lift</th>
            <th scope="col" class="num">95 % interval</th>
            <th scope="col" class="num">Adjusted for the arms before the start</th>
          </tr>
        </thead>
        <tbody>
          <LiftRow name="CTR" lift={r.lift.ctr} />
          <LiftRow name="CVR" lift={r.lift.cvr} />
          <LiftRow name="ROAS" lift={r.lift.roas} />
        </tbody>
      </table></div>
      <p class="help">{r.method}</p>
    </article>
  );
}

function Arm({ name, arm, currency }: { name: string; arm: ArmReport; currency: string }) {
  return (
    <tr>
      <th scope="row">{name}</th>
      <td class="num">{arm.adset_ids.length}</td>
      <td class="num">{number(arm.impressions)}</td>
      <td class="num">{money(arm.spend, currency)}</td>
      <td class="num">{percent(arm.ctr)}</td>
      <td class="num">{percent(arm.cvr)}</td>
      <td class="num">{ratio(arm.roas)}</td>
    </tr>
  );
}

const signed = (x: number) => `${x >= 0 ? '+' : ''}${percent(x, 1)}`;

function LiftRow({ name, lift }: { name: string; lift: Lift }) {
  if (lift.state !== 'ok' || lift.lift === null) {
    return (
      <tr>
        <th scope="row">{name}</th>
        <td colSpan={3}>{lift.reason ?? 'not enough data yet'}</td>
      </tr>
    );
  }
  return (
    <tr>
      <th scope="row">{name}</th>
      <td class="num">{signed(lift.lift)}</td>
      <td class="num">{lift.ci95 ? `${signed(lift.ci95.low)} to ${signed(lift.ci95.high)}` : '–'}</td>
      <td class="num">{lift.adjusted ? `${signed(lift.adjusted.lift)} (${signed(lift.adjusted.ci95.low)} to ${signed(lift.adjusted.ci95.high)})` : '–'}</td>
    </tr>
  );
}
