// Marketing API versions and the dates Meta stops serving them, as published in Meta's changelog.
// A version whose end Meta has not announced yet is absent; `meta check` says so rather than guess.
export const VERSION_EXPIRY: Readonly<Record<string, string>> = {
  'v22.0': '2026-02-19',
  'v23.0': '2026-06-09',
  'v24.0': '2026-11-10',
  'v25.0': '2027-02-23',
};

export interface VersionStatus {
  version: string;
  expires: string | null;
  /** Days from `today` to the expiry (negative: expired); null when not announced. */
  daysLeft: number | null;
  state: 'ok' | 'expiring' | 'expired' | 'unannounced';
}

/** "expiring" within 60 days: the time an operator needs to test and move to the next version. */
export function versionStatus(version: string, today: string): VersionStatus {
  const expires = VERSION_EXPIRY[version] ?? null;
  if (expires === null) return { version, expires, daysLeft: null, state: 'unannounced' };
  const daysLeft = Math.round((Date.parse(`${expires}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  return { version, expires, daysLeft, state: daysLeft < 0 ? 'expired' : daysLeft <= 60 ? 'expiring' : 'ok' };
}
