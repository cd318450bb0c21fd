import { useEffect, useRef } from 'preact/hooks';
import { href, useRoute } from './router.ts';
import type { Session } from './session.ts';
import { BacktestPage } from './pages/backtest.tsx';
import { CampaignsPage } from './pages/campaigns.tsx';
import { ExperimentsPage } from './pages/experiments.tsx';
import { HistoryPage } from './pages/history.tsx';
import { ImportPage } from './pages/import.tsx';
import { RecommendationPage } from './pages/recommendation.tsx';
import { SegmentsPage } from './pages/segments.tsx';

const PAGES = [
  { page: 'campaigns', label: 'Campaigns' },
  { page: 'recommendation', label: 'Recommendation' },
  { page: 'segments', label: 'Segments' },
  { page: 'history', label: 'History' },
  { page: 'experiments', label: 'Experiments' },
  { page: 'backtest', label: 'Backtest' },
  { page: 'import', label: 'Import' },
];

export function Shell({ session, onSignOut }: { session: Session; onSignOut: () => void }) {
  const route = useRoute();
  const main = useRef<HTMLElement>(null);
  const title = PAGES.find((p) => p.page === route.page)?.label ?? 'Not found';
  useEffect(() => {
    document.title = `${title} · Targeting optimizer`;
    // Keyboard and screen-reader users land on the new page's content, not the top of the menu.
    main.current?.focus({ preventScroll: true });
  }, [route.page]);
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => (e.preventDefault(), main.current?.focus())}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Targeting optimizer</span>
        <nav aria-label="Pages">
          <ul>
            {PAGES.map((p) => (
              <li key={p.page}>
                <a href={href(p.page)} aria-current={p.page === route.page ? 'page' : undefined}>
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span class="who">
          <span data-testid="who">
            {session.sub} · <strong>{session.role}</strong>
          </span>
          <button type="button" class="link" onClick={onSignOut}>
            Sign out
          </button>
        </span>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        <h1>{title}</h1>
        <Page route={route} session={session} />
      </main>
    </>
  );
}

function Page({ route, session }: { route: ReturnType<typeof useRoute>; session: Session }) {
  switch (route.page) {
    case 'campaigns':
      return <CampaignsPage session={session} />;
    case 'recommendation':
      return <RecommendationPage session={session} campaignId={route.args[0] ?? null} adsetId={route.query.get('adset')} />;
    case 'segments':
      return <SegmentsPage />;
    case 'history':
      return <HistoryPage session={session} />;
    case 'experiments':
      return <ExperimentsPage experimentId={route.args[0] ?? null} />;
    case 'backtest':
      return <BacktestPage session={session} />;
    case 'import':
      return <ImportPage session={session} />;
    default:
      return (
        <p>
          No page here. Go to the <a href={href('campaigns')}>campaigns</a>.
        </p>
      );
  }
}
