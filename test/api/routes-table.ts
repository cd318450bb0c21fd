// Every route of the API, once: the security tests are generated from this table, and a test
// checks that the table and the app's route list agree, so a new route cannot skip them.
export interface RouteCase {
  method: 'GET' | 'POST' | 'PUT';
  /** The route template as Fastify knows it. */
  route: string;
  access: 'public' | 'read' | 'write' | 'admin';
  /** A concrete request the right role may make (ids filled in from the seeded data). */
  url(ids: SeedIds): string;
  body?(ids: SeedIds): unknown;
  /** Takes a pagination cursor (?cursor=): the tampered-cursor probes run on it. */
  paginated?: true;
}

export interface SeedIds {
  campaignId: string;
  recommendationId: string;
  /** A started holdout experiment of the campaign. */
  experimentId: string;
  /** Open proposals: one for the approve route, one for the reject route. */
  approveProposalId: number;
  rejectProposalId: number;
  /** An applied (STUB) targeting history row. */
  historyId: number;
}

export const ROUTES: RouteCase[] = [
  { method: 'GET', route: '/health', access: 'public', url: () => '/health' },
  { method: 'GET', route: '/ready', access: 'public', url: () => '/ready' },
  { method: 'GET', route: '/metrics', access: 'public', url: () => '/metrics' },
  { method: 'POST', route: '/meta/targeting/run', access: 'write', url: () => '/meta/targeting/run', body: (ids) => ({ campaign_id: ids.campaignId, mode: 'stub', force_refresh: false }) },
  { method: 'GET', route: '/meta/targeting/recommendations/:campaign_id', access: 'read', url: (ids) => `/meta/targeting/recommendations/${ids.campaignId}` },
  {
    method: 'POST',
    route: '/meta/targeting/apply/:recommendation_id',
    access: 'write',
    url: (ids) => `/meta/targeting/apply/${ids.recommendationId}`,
    body: (ids) => ({ recommendation_id: ids.recommendationId, mode: 'stub', dry_run: true }),
  },
  { method: 'GET', route: '/meta/targeting/segments', access: 'read', url: () => '/meta/targeting/segments?limit=5', paginated: true },
  // A dry run (the default), so that every probe can succeed on the same row.
  { method: 'POST', route: '/meta/targeting/rollback/:history_id', access: 'admin', url: (ids) => `/meta/targeting/rollback/${ids.historyId}`, body: () => ({ mode: 'stub', dry_run: true }) },
  { method: 'GET', route: '/meta/targeting/history', access: 'read', url: () => '/meta/targeting/history?limit=5', paginated: true },
  {
    method: 'POST',
    route: '/meta/targeting/experiments',
    access: 'write',
    url: () => '/meta/targeting/experiments',
    // A dry run, so that the admin and the manager calls can both succeed on the same run.
    body: (ids) => ({ campaign_id: ids.campaignId, mode: 'stub', holdout_share: 0.5, dry_run: true }),
  },
  { method: 'GET', route: '/meta/targeting/experiments/:experiment_id', access: 'read', url: (ids) => `/meta/targeting/experiments/${ids.experimentId}` },
  { method: 'GET', route: '/meta/targeting/campaigns', access: 'read', url: () => '/meta/targeting/campaigns?limit=5' },
  { method: 'POST', route: '/meta/targeting/proposals', access: 'write', url: () => '/meta/targeting/proposals', body: (ids) => ({ recommendation_id: ids.recommendationId, mode: 'stub' }) },
  { method: 'GET', route: '/meta/targeting/proposals', access: 'read', url: () => '/meta/targeting/proposals?limit=5' },
  // Repeated approvals and rejections answer the first one, so every admin call of the probes succeeds.
  { method: 'POST', route: '/meta/targeting/proposals/:proposal_id/approve', access: 'admin', url: (ids) => `/meta/targeting/proposals/${ids.approveProposalId}/approve`, body: () => ({}) },
  { method: 'POST', route: '/meta/targeting/proposals/:proposal_id/reject', access: 'admin', url: (ids) => `/meta/targeting/proposals/${ids.rejectProposalId}/reject`, body: () => ({ note: 'not now' }) },
  { method: 'GET', route: '/meta/targeting/guardrails/events', access: 'read', url: () => '/meta/targeting/guardrails/events?limit=5' },
  { method: 'PUT', route: '/meta/targeting/campaigns/:campaign_id', access: 'write', url: (ids) => `/meta/targeting/campaigns/${ids.campaignId}`, body: () => ({ daily_budget: 1000 }) },
];
