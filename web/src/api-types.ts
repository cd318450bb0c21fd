// The API's answers as the dashboard reads them: declared from openapi.json (the one contract
// between web/ and the server; web/ imports nothing from src/). Only the fields the pages use.

export type Role = 'admin' | 'manager' | 'viewer';

export interface ApiErrorBody {
  error: { code: string; message: string; requestId: string };
  problems?: ImportProblem[];
  header_problems?: string[];
}

export interface Rates {
  ctr: number | null;
  cvr: number | null;
  roas: number | null;
}

export interface CampaignOverview {
  campaign_id: string;
  name: string | null;
  currency: string;
  daily_budget: number | null;
  source: string;
  active: boolean;
  first_data_day: string | null;
  last_data_day: string | null;
  scheduled: boolean;
  not_scheduled_because: string | null;
  latest_run: { run_id: string; status: string; strategy: string; mode: string; started_at: string; finished_at: string | null; duration_ms: number | null; actor: string | null; error: string | null } | null;
  expected: (Rates & { confidence: number }) | null;
  actual: Rates & { days: number };
  spend: { amount: number; days: number };
}

export interface RunResponse {
  run_id: string;
  status: 'completed' | 'partial';
  campaign_ids: string[];
  recommendations_count: number;
  duration_ms: number;
  message: string;
  reused_campaign_ids: string[];
  failed_campaign_ids: string[];
}

export interface GeoAllocation {
  country_code: string;
  country_name: string;
  budget_pct: number;
  budget_amount: number;
  avg_cpc: number | null;
  avg_ctr: number | null;
  avg_roas: number | null;
  engagement_score: number;
}

export interface TraceEvent {
  step: string;
  decision: string;
  numbers: Record<string, unknown>;
}

export interface Recommendation {
  recommendation_id: string;
  run_id: string;
  created_at: string;
  adset_id: string | null;
  campaign_id: string;
  countries: string[];
  geo_allocations: GeoAllocation[];
  age_min: number;
  age_max: number;
  gender: 'all' | 'male' | 'female';
  interests: { interest_id: string; interest_name: string; score: number; rank: number }[];
  behaviors: { behavior_id: string; behavior_name: string; score: number; rank: number }[];
  custom_audiences: { audience_id: string; name: string; size: number; description: string }[];
  lookalikes: { source_audience_id: string; country_codes: string[]; ratio: number; name: string; description: string }[];
  frequency_cap: number;
  frequency_window_days: number;
  total_budget: number;
  reasoning: {
    method: string;
    strategy: string;
    geo_constraint: string;
    spain_allocation_pct: number;
    currency: string;
    window: { start: string; end: string };
    trace: TraceEvent[];
  };
  expected_ctr: number;
  expected_cvr: number;
  expected_roas: number;
  confidence: number;
}

export interface Comparison {
  recommendation_id: string;
  adset_id: string | null;
  in_force: { history_id: number; targeting: Record<string, unknown> | null } | null;
  proposed: Record<string, unknown>;
  changes: { field: string; before: unknown; after: unknown }[];
  previous: { recommendation_id: string; run_id: string; created_at: string; total_budget: number; geo_allocations: { country_code: string; budget_pct: number; budget_amount: number }[] } | null;
}

export interface ApplyResponse {
  recommendation_id: string;
  adset_id: string | null;
  success: boolean;
  applied_changes: { countries: string[]; age_range: string; interests_count: number; behaviors_count: number; lookalikes_count: number };
  message: string;
  dry_run: boolean;
  already_in_force: boolean;
  history_id: number | null;
}

export interface Segment {
  segment_id: string;
  segment_name: string;
  segment_type: string;
  total_impressions: number;
  total_clicks: number;
  total_conversions: number | null;
  total_spend: number;
  total_revenue: number | null;
  currency: string;
  avg_ctr: number | null;
  avg_cvr: number | null;
  avg_roas: number | null;
  campaigns_count: number;
  last_used: string;
  is_fatigued: boolean;
  fatigue_reason: string | null;
  rests_in_force: { campaign_id: string; adset_id: string | null; since: string }[];
}

export interface SegmentSeries {
  start: string | null;
  end: string | null;
  series: { segment_type: string; segment_id: string; currency: string; days: { date: string; impressions: number; clicks: number; spend: number; ctr: number | null }[] }[];
}

export interface HistoryEntry {
  id: number;
  run_id: string | null;
  recommendation_id: string | null;
  campaign_id: string;
  adset_id: string | null;
  mode: 'stub' | 'live';
  dry_run: boolean;
  applied_at: string;
  old_targeting: Record<string, unknown> | null;
  new_targeting: Record<string, unknown> | null;
  before_ctr: number | null;
  before_cvr: number | null;
  before_roas: number | null;
  after_ctr: number | null;
  after_cvr: number | null;
  after_roas: number | null;
  success: boolean;
  error_message: string | null;
  experiment_id: string | null;
  experiment_arm: 'treatment' | 'holdout' | null;
  actor: string | null;
  /** pending: recorded before it was sent, not settled yet; applied; failed. */
  state?: 'pending' | 'applied' | 'failed';
  /** The row this one rolls back, or null. */
  rolls_back_history_id?: number | null;
}

/** POST /meta/targeting/rollback/{history_id}: dry run by default (admin). */
export interface RollbackResponse {
  history_id: number | null;
  rolled_back_history_id: number;
  success: boolean;
  dry_run: boolean;
  message: string;
  changes: { adset_id: string | null; action: 'restore' | 'pause'; diff: { field: string; before: unknown; after: unknown }[] }[];
}

export interface ExperimentSummary {
  experiment_id: string;
  campaign_id: string;
  run_id: string;
  holdout_share: number;
  started_at: string;
  adsets: number;
}

export interface ImportProblem {
  line: number;
  field: string;
  value: string;
  message: string;
}

export interface ImportReport {
  file: string;
  format: string;
  rowsRead: number;
  imported: number;
  skipped: number;
  problems: ImportProblem[];
  campaigns: string[];
  dateRange: { start: string; end: string } | null;
  currencies: string[];
  durationMs: number;
  source?: Record<string, unknown>;
}

export interface BacktestDay {
  day: number;
  date: string;
  spendMinor: number;
  expectedRevenueMinor: number;
  revenueMinor: number;
  predictedRoas: number | null;
  regretMinor: number;
}

export interface BacktestReport {
  marketSeed: number | string;
  family: string;
  campaignId: string;
  currency: string;
  dailyBudgetMinor: number;
  historyDays: number;
  windowDays: number;
  days: number;
  series: { strategy: string; days: BacktestDay[]; cumulativeExpectedRevenueMinor: number; shareOfOracle: number; calibrationError: number | null; calibrationAbsError: number | null }[];
}

export interface ArmReport {
  adset_ids: (string | null)[];
  adsets_with_delivery: number;
  days: number;
  impressions: number;
  clicks: number;
  conversions: number;
  spend: number;
  revenue: number;
  ctr: number | null;
  cvr: number | null;
  roas: number | null;
}

export interface Lift {
  state: 'ok' | 'not_enough_data';
  reason: string | null;
  lift: number | null;
  ci95: { low: number; high: number } | null;
  adjusted: { lift: number; ci95: { low: number; high: number } } | null;
}

export interface ExperimentReport {
  experiment_id: string;
  campaign_id: string;
  run_id: string;
  holdout_share: number;
  started_at: string;
  currency: string;
  period: { start: string; end: string | null };
  status: 'no_holdout' | 'not_enough_data' | 'ready';
  reason: string | null;
  arms: { treatment: ArmReport; holdout: ArmReport };
  lift: { ctr: Lift; cvr: Lift; roas: Lift };
  method: string;
}
