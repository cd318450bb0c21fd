// Credentials that clients put in URLs (a token as ?access_token=, a key as ?api_key=) must not
// reach the logs with the URL: the API refuses them, but the access log records every URL.

// Lower-case parameter names whose values are secrets, compared after removing - and _.
const SENSITIVE = new Set(['token', 'accesstoken', 'idtoken', 'refreshtoken', 'jwt', 'auth', 'authorization', 'bearer', 'apikey', 'key', 'secret', 'clientsecret', 'password', 'passwd', 'pwd', 'signature', 'sig', 'code', 'session', 'sessionid']);

function isSensitive(name: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    decoded = name;
  }
  const plain = decoded.toLowerCase().replace(/[-_\s]/g, '');
  return SENSITIVE.has(plain) || plain.endsWith('token') || plain.endsWith('secret') || plain.endsWith('password');
}

/** The URL with the value of every sensitive query parameter replaced by [redacted]; the rest as it was. */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const hashAt = url.indexOf('#', q);
  const query = url.slice(q + 1, hashAt < 0 ? undefined : hashAt);
  const redacted = query
    .split(/([&;])/)
    .map((part) => {
      if (part === '&' || part === ';') return part;
      const eq = part.indexOf('=');
      const name = eq < 0 ? part : part.slice(0, eq);
      return eq >= 0 && isSensitive(name) ? `${name}=[redacted]` : part;
    })
    .join('');
  return `${url.slice(0, q + 1)}${redacted}${hashAt < 0 ? '' : url.slice(hashAt)}`;
}
