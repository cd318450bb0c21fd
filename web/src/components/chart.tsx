// Chart.js on a canvas, registered piece by piece so that only what the pages draw is bundled.
// Canvas drawing needs neither inline styles nor eval, so the strict CSP holds.
import { BarController, BarElement, CategoryScale, Chart, type ChartConfiguration, Filler, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from 'chart.js';
import { useEffect, useRef } from 'preact/hooks';

Chart.register(BarController, BarElement, LineController, LineElement, PointElement, CategoryScale, LinearScale, Tooltip, Legend, Filler);
Chart.defaults.font.family = 'system-ui, sans-serif';
Chart.defaults.color = '#1f2933';
Chart.defaults.animation = false;

/** Colours with a pattern of their own (dashes, fills) so that no series is told apart by colour alone. */
export const COLORS = { blue: '#1d4ed8', orange: '#b45309', grey: '#6b7280', red: '#b91c1c', green: '#047857', purple: '#6d28d9' };

export function ChartCanvas({ config, label, height = 320 }: { config: ChartConfiguration; label: string; height?: number }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current === null) return;
    const chart = new Chart(ref.current, { ...config, options: { responsive: true, maintainAspectRatio: false, ...config.options } });
    return () => chart.destroy();
  }, [config]);
  return (
    <div class="chart" style={{ height: `${height}px` }}>
      <canvas ref={ref} role="img" aria-label={label} />
    </div>
  );
}

/** A 30-day line without axes; the numbers are in the row beside it. */
export function Sparkline({ values, label }: { values: (number | null)[]; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (ref.current === null) return;
    const chart = new Chart(ref.current, {
      type: 'line',
      data: { labels: values.map((_, i) => i), datasets: [{ data: values, borderColor: COLORS.blue, borderWidth: 1.5, pointRadius: 0, spanGaps: true }] },
      options: { responsive: false, events: [], plugins: { legend: { display: false }, tooltip: { enabled: false } }, scales: { x: { display: false }, y: { display: false } } },
    });
    return () => chart.destroy();
  }, [values]);
  return <canvas ref={ref} width={120} height={28} role="img" aria-label={label} />;
}
