import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, useToken } from './api.ts';
import { type Session, clearSession, sessionOf, storedSession, storeSession } from './session.ts';
import { SignIn } from './pages/sign-in.tsx';
import { Shell } from './shell.tsx';
import './styles.css';

/**
 * A sign-in link carries a one-time code in the fragment (#sign-in=…): read once, removed from the
 * address bar and history at once, then exchanged for a token that is kept in sessionStorage only.
 */
function takeSignInCode(): string | null {
  const m = /^#sign-in=([A-Za-z0-9_-]+)$/.exec(location.hash);
  if (m === null) return null;
  history.replaceState(null, '', `${location.pathname}${location.search}#/campaigns`);
  return m[1]!;
}

function App() {
  const [session, setSession] = useState<Session | null>(() => storedSession());
  const [code] = useState(takeSignInCode);
  const [linkError, setLinkError] = useState<string | null>(null);
  const signOut = (reason: string | null) => {
    clearSession();
    useToken(null, () => {});
    setLinkError(reason);
    setSession(null);
  };
  useToken(session?.token ?? null, () => signOut('Your token was refused (expired or invalid): sign in again.'));

  useEffect(() => {
    if (code === null) return;
    api<{ token: string }>('/meta/targeting/session', { method: 'POST', json: { code } }).then(
      ({ token }) => {
        const s = sessionOf(token);
        if (s === null) return setLinkError('The server answered a token this page cannot read.');
        storeSession(s);
        setSession(s);
      },
      (error: Error) => setLinkError(`The sign-in link did not work: ${error.message}`),
    );
  }, [code]);

  if (session === null) {
    return (
      <SignIn
        pending={code !== null && linkError === null}
        notice={linkError}
        onSignedIn={(s) => {
          storeSession(s);
          setLinkError(null);
          setSession(s);
        }}
      />
    );
  }
  return <Shell session={session} onSignOut={() => signOut(null)} />;
}

const root = document.getElementById('app')!;
// The boot message is only for a browser that never runs this script.
root.replaceChildren();
render(<App />, root);
