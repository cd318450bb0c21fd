import { useState } from 'preact/hooks';
import { api, apiPage } from '../api.ts';
import type { Segment, SegmentSeries } from '../api-types.ts';
import { Sparkline } from '../components/chart.tsx';
import { Empty, ErrorBox, Loading } from '../components/states.tsx';
import { type Column, SortableTable } from '../components/table.tsx';
import { useLoad } from '../components/use-load.ts';
import { money, number, percent, ratio } from '../format.ts';
import { href } from '../router.ts';

const key = (type: string, id: string, currency: string) => `${type}|${id}|${currency}`;

export function SegmentsPage() {
  const [type, setType] = useState('');
  const [text, setText] = useState('');
  const [fatiguedOnly, setFatiguedOnly] = useState(false);
  const query = type === '' ? '' : `&segment_type=${type}`;
  const [load, reload] = useLoad(async () => {
    const [segments, series] = await Promise.all([apiPage<Segment>(`/meta/targeting/segments?limit=500${query}`), api<SegmentSeries>(`/meta/targeting/segments/daily?days=30${query}`)]);
    return { segments, series: new Map(series.series.map((s) => [key(s.segment_type, s.segment_id, s.currency), s])), range: series };
  }, type);

  const columns: Column<Segment>[] = [
    { key: 'name', label: 'Segment', sortValue: (s) => s.segment_name.toLowerCase(), render: (s) => (<>{s.segment_name}<div class="sub">{s.segment_type} · {s.segment_id}</div></>) },
    { key: 'impressions', label: 'Impressions', numeric: true, sortValue: (s) => s.total_impressions, render: (s) => number(s.total_impressions) },
    { key: 'ctr', label: 'CTR', numeric: true, sortValue: (s) => s.avg_ctr, render: (s) => percent(s.avg_ctr) },
    { key: 'cvr', label: 'CVR', numeric: true, sortValue: (s) => s.avg_cvr, render: (s) => percent(s.avg_cvr) },
    { key: 'roas', label: 'ROAS', numeric: true, sortValue: (s) => s.avg_roas, render: (s) => ratio(s.avg_roas) },
    { key: 'spend', label: 'Spend', numeric: true, sortValue: (s) => s.total_spend, render: (s) => money(s.total_spend, s.currency) },
    {
      key: 'trend',
      label: 'Daily CTR, 30 days',
      render: (s) => {
        const series = load.state === 'ready' ? load.value.series.get(key(s.segment_type, s.segment_id, s.currency)) : undefined;
        if (series === undefined) return <span class="sub">no delivery in the last 30 days</span>;
        const ctrs = series.days.map((d) => d.ctr);
        const known = ctrs.filter((c): c is number => c !== null);
        return <Sparkline values={ctrs} label={`Daily CTR of ${s.segment_name} over 30 days: first ${percent(known[0] ?? null)}, last ${percent(known.at(-1) ?? null)}`} />;
      },
    },
    {
      key: 'fatigue',
      label: 'Fatigue',
      sortValue: (s) => (s.is_fatigued ? 1 : 0) + (s.rests_in_force.length > 0 ? 1 : 0),
      render: (s) => (
        <>
          {s.is_fatigued ? <span class="badge failed">⚠ fatigued</span> : <span class="badge completed">✓ fresh</span>}
          {s.fatigue_reason && <div class="note">{s.fatigue_reason}</div>}
          {s.rests_in_force.length > 0 && <div class="note">Resting in {s.rests_in_force.length} ad set(s) since {s.rests_in_force[0]!.since}</div>}
        </>
      ),
    },
  ];

  const rows = load.state === 'ready' ? load.value.segments.items.filter((s) => (!fatiguedOnly || s.is_fatigued || s.rests_in_force.length > 0) && `${s.segment_name} ${s.segment_id}`.toLowerCase().includes(text.toLowerCase())) : [];
  return (
    <section>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label for="seg-filter">Filter by name or id</label>
        <input id="seg-filter" type="search" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
        <label for="seg-type">Type</label>
        <select id="seg-type" value={type} onChange={(e) => setType((e.target as HTMLSelectElement).value)}>
          <option value="">all</option>
          <option value="interest">interests</option>
          <option value="behavior">behaviors</option>
          <option value="custom_audience">custom audiences</option>
          <option value="lookalike">lookalikes</option>
          <option value="demographic">demographics</option>
        </select>
        <label class="check">
          <input type="checkbox" checked={fatiguedOnly} onChange={(e) => setFatiguedOnly((e.target as HTMLInputElement).checked)} /> fatigued or resting only
        </label>
      </form>
      {load.state === 'loading' && <Loading what="segments" />}
      {load.state === 'error' && <ErrorBox error={load.error} retry={reload} />}
      {load.state === 'ready' && load.value.segments.items.length === 0 && (
        <Empty>
          No segment performance yet: import a CSV on the <a href={href('import')}>Import</a> page or generate a STUB market on the <a href={href('campaigns')}>Campaigns</a> page.
        </Empty>
      )}
      {load.state === 'ready' && load.value.segments.items.length > 0 && (
        <>
          {load.value.segments.next !== null && <p class="help">Showing the 500 segments with the most impressions.</p>}
          {rows.length === 0 ? <Empty>No segment matches the filter.</Empty> : <SortableTable caption={`${number(rows.length)} segment(s); sparklines from ${load.value.range.start} to ${load.value.range.end}`} rows={rows} columns={columns} rowKey={(s) => key(s.segment_type, s.segment_id, s.currency)} initialSort={{ key: 'impressions', descending: true }} />}
        </>
      )}
    </section>
  );
}
