// Every route of the API, once: the security tests are generated from this table, and a test
// checks that the table and the app's route list agree, so a new route cannot skip them.
import { issueSignInCode } from '../../src/services/sign-in-codes.ts';
import { NOW } from './helpers.ts';

export interface RouteCase {
  method: 'GET' | 'POST' | 'PUT';
  /** The route template as Fastify knows it. */
  route: string;
  access: 'public' | 'read' | 'write' | 'admin';
  /** A concrete request the right role may make (ids filled in from the seeded data). */
  url(ids: SeedIds): string;
  body?(ids: SeedIds): unknown;
  /** The body's media type when it is not JSON (the body is then a string). */
  contentType?: string;
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

// A canonical CSV of one campaign that only this table's import calls use.
const IMPORT_CSV = [
  'campaign_id,date,adset_id,segment_type,segment_id,segment_name,country,age,gender,impressions,reach,clicks,conversions,spend,revenue,currency',
  '555000999,2026-11-01,as-1,interest,6003107902433,Action movies,,,,12000,9000,180,6,95.40,310.00,EUR',
].join('\n');

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
  { method: 'GET', route: '/meta/targeting/campaigns/overview', access: 'read', url: () => '/meta/targeting/campaigns/overview?limit=5', paginated: true },
  { method: 'GET', route: '/meta/targeting/segments/daily', access: 'read', url: () => '/meta/targeting/segments/daily?days=30' },
  { method: 'GET', route: '/meta/targeting/comparisons/:recommendation_id', access: 'read', url: (ids) => `/meta/targeting/comparisons/${ids.recommendationId}` },
  { method: 'GET', route: '/meta/targeting/experiments', access: 'read', url: () => '/meta/targeting/experiments?limit=5' },
  { method: 'POST', route: '/meta/targeting/imports', access: 'write', url: () => '/meta/targeting/imports?file_name=table.csv', body: () => IMPORT_CSV, contentType: 'text/csv' },
  { method: 'POST', route: '/meta/targeting/backtest', access: 'write', url: () => '/meta/targeting/backtest', body: () => ({ days: 1, history_days: 3 }) },
  { method: 'POST', route: '/meta/targeting/session', access: 'public', url: () => '/meta/targeting/session', body: () => ({ code: issueSignInCode({ now: () => new Date(NOW) }, { sub: 'table-admin', role: 'admin' }) }) },
];
