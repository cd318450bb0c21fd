// Pages live in the URL fragment (#/segments), so the server serves one document at / and a
// reload or a shared link opens the same page.
import { useEffect, useState } from 'preact/hooks';

export interface Route {
  page: string;
  /** Path segments after the page: #/recommendation/<campaign_id> → [campaign_id]. */
  args: string[];
  query: URLSearchParams;
}

export function parseRoute(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#\/?/, '').split('?');
  const [page = 'campaigns', ...args] = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { page, args, query: new URLSearchParams(search) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export const href = (page: string, ...args: string[]) => `#/${[page, ...args.map(encodeURIComponent)].join('/')}`;
