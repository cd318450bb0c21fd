import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../api.ts';
import type { ImportProblem, ImportReport } from '../api-types.ts';
import { ErrorBox } from '../components/states.tsx';
import { number } from '../format.ts';
import { href } from '../router.ts';
import { canWrite, type Session } from '../session.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function ImportPage({ session }: { session: Session }) {
  const [file, setFile] = useState<File | null>(null);
  const [format, setFormat] = useState('');
  const [skipInvalid, setSkipInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [rejected, setRejected] = useState<{ message: string; problems: ImportProblem[]; header: string[] } | null>(null);
  const [error, setError] = useState<unknown>(null);

  if (!canWrite(session)) return <p class="state empty">Importing takes a manager or admin token; your role ({session.role}) may only read.</p>;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (file === null) return;
    setBusy(true);
    setReport(null);
    setRejected(null);
    setError(null);
    const q = new URLSearchParams({ file_name: file.name.slice(0, 200) });
    if (format !== '') q.set('format', format);
    if (skipInvalid) q.set('skip_invalid', 'true');
    try {
      const isXlsx = file.name.toLowerCase().endsWith('.xlsx');
      setReport(await api<ImportReport>(`/meta/targeting/imports?${q}`, { method: 'POST', body: await file.arrayBuffer(), contentType: isXlsx ? XLSX : 'text/csv' }));
    } catch (err) {
      if (err instanceof ApiFailure && err.status === 400 && (err.body?.problems?.length || err.body?.header_problems?.length)) {
        setRejected({ message: err.message, problems: err.body.problems ?? [], header: err.body.header_problems ?? [] });
      } else setError(err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <form class="stack" onSubmit={(e) => void submit(e)}>
        <label for="import-file">File: a canonical CSV, or an Ads Manager export (CSV or XLSX)</label>
        <input id="import-file" type="file" accept=".csv,.xlsx,text/csv" onChange={(e) => setFile((e.target as HTMLInputElement).files?.[0] ?? null)} />
        <label for="import-format">Format</label>
        <select id="import-format" value={format} onChange={(e) => setFormat((e.target as HTMLSelectElement).value)}>
          <option value="">detect from the file</option>
          <option value="canonical">canonical CSV</option>
          <option value="ads-manager">Ads Manager export</option>
        </select>
        <label class="check">
          <input type="checkbox" checked={skipInvalid} onChange={(e) => setSkipInvalid((e.target as HTMLInputElement).checked)} /> import the valid rows and list the others (default: one bad row rejects the whole file)
        </label>
        <button type="submit" disabled={file === null || busy}>
          {busy ? 'Importing…' : 'Import'}
        </button>
      </form>
      {error !== null && <ErrorBox error={error} />}
      {rejected && (
        <div class="state error" role="alert" data-testid="import-rejected">
          <p>
            <strong>Nothing was imported.</strong> {rejected.message}
          </p>
          {rejected.header.length > 0 && (
            <ul>
              {rejected.header.map((h) => (
                <li key={h}>{h}</li>
              ))}
            </ul>
          )}
          {rejected.problems.length > 0 && <Problems problems={rejected.problems} caption="Rejected lines: fix them, or tick the box to import the valid rows" />}
        </div>
      )}
      {report && (
        <div class="state ok" role="status" data-testid="import-report">
          <p>
            Imported <strong>{number(report.imported)}</strong> row(s) of {number(report.rowsRead)} read from {report.file} as {report.format}
            {report.dateRange ? `, ${report.dateRange.start} to ${report.dateRange.end}` : ''}; campaigns {report.campaigns.join(', ') || 'none'}; currency {report.currencies.join(', ') || '–'}. Next: run them on the <a href={href('campaigns')}>Campaigns</a> page.
          </p>
          {report.source && <SourceFacts source={report.source} />}
          {report.problems.length > 0 && <Problems problems={report.problems} caption={`${report.skipped} line(s) skipped`} />}
        </div>
      )}
    </section>
  );
}

function Problems({ problems, caption }: { problems: ImportProblem[]; caption: string }) {
  return (
    <div class="table-wrap"><table class="compact">
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col" class="num">Line</th>
          <th scope="col">Field</th>
          <th scope="col">Value</th>
          <th scope="col">Problem</th>
        </tr>
      </thead>
      <tbody>
        {problems.map((p, i) => (
          <tr key={`${p.line}-${p.field}-${i}`}>
            <td class="num">{p.line}</td>
            <td>{p.field}</td>
            <td>
              <code>{p.value}</code>
            </td>
            <td>{p.message}</td>
          </tr>
        ))}
      </tbody>
    </table></div>
  );
}

function SourceFacts({ source }: { source: Record<string, unknown> }) {
  const facts = ['fileType', 'language', 'delimiter', 'currency', 'currencySource'].filter((k) => source[k] !== undefined && source[k] !== null);
  const decimal = source.decimalMark as { mark: string; decidedBy: string } | undefined;
  return (
    <p class="help">
      Read as: {facts.map((k) => `${k} ${JSON.stringify(source[k])}`).join(', ')}
      {decimal ? `, decimal mark "${decimal.mark}" (${decimal.decidedBy})` : ''}.
    </p>
  );
}
