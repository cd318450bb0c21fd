import { useState } from 'preact/hooks';
import { type Session, sessionOf } from '../session.ts';

export function SignIn({ onSignedIn, pending, notice }: { onSignedIn: (s: Session) => void; pending: boolean; notice: string | null }) {
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (e: Event) => {
    e.preventDefault();
    const s = sessionOf(text.trim());
    if (s === null) return setProblem('This is not an API token (three dot-separated parts with sub, role and exp claims).');
    if (s.exp * 1000 <= Date.now()) return setProblem('This token has expired: mint a new one.');
    onSignedIn(s);
  };
  return (
    <main class="sign-in">
      <h1>Targeting optimizer</h1>
      {pending ? (
        <p role="status">Signing you in with the link…</p>
      ) : (
        <form onSubmit={submit} noValidate>
          {notice && (
            <p class="state error" role="alert">
              {notice}
            </p>
          )}
          <label for="token">API token</label>
          <textarea id="token" name="token" rows={4} autoComplete="off" spellcheck={false} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} aria-describedby="token-help token-problem" required />
          <p id="token-help" class="help">
            Paste a token from <code>npx targeting-optimizer token --role manager --sub you</code>, or open the one-time link that <code>npm start</code> prints. The token stays in this tab only (session storage) and is sent to this server only.
          </p>
          {problem && (
            <p id="token-problem" class="state error" role="alert">
              {problem}
            </p>
          )}
          <button type="submit">Sign in</button>
        </form>
      )}
    </main>
  );
}
