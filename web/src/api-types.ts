// The API's answers as the dashboard reads them: aliases of the types openapi-typescript generates
// from openapi.json (api.generated.ts, rewritten by `npm run openapi`), so a changed route schema
// is a type error here rather than a page that silently reads a missing field. web/ imports nothing
// from src/: the OpenAPI document is the one contract between the two.
import type { components, paths } from './api.generated.ts';

type Method = 'get' | 'post' | 'put';

/** The JSON body of an operation's 200 answer. */
type Ok<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: { 200: { content: { 'application/json': infer T } } } } ? T : never;

/** The JSON body of an operation's answer with the given error status. */
type Failure<P extends keyof paths, M extends Method, S extends number> = paths[P][M] extends { responses: { [K in S]: { content: { 'application/json': infer T } } } } ? T : never;

type Item<T> = T extends readonly (infer I)[] ? I : never;

/** The roles a token can carry (the server's access rules; a token's claim is a plain string). */
export type Role = 'admin' | 'manager' | 'viewer';

/** Every error answer; a rejected import adds its bad lines (problems) or header problems. */
export type ApiErrorBody = components['schemas']['ErrorResponse'] & Partial<Pick<ImportRejection, 'problems' | 'header_problems'>>;
type ImportRejection = Failure<'/meta/targeting/imports', 'post', 400>;

export type CampaignOverview = Item<Ok<'/meta/targeting/campaigns/overview', 'get'>>;
export type RunResponse = Ok<'/meta/targeting/run', 'post'>;

export type Recommendation = components['schemas']['Recommendation'];
export type TraceEvent = Item<Recommendation['reasoning']['trace']>;
export type Comparison = Ok<'/meta/targeting/comparisons/{recommendation_id}', 'get'>;
export type ApplyResponse = Ok<'/meta/targeting/apply/{recommendation_id}', 'post'>;

export type Segment = Item<Ok<'/meta/targeting/segments', 'get'>>;
export type SegmentSeries = Ok<'/meta/targeting/segments/daily', 'get'>;

export type HistoryEntry = Item<Ok<'/meta/targeting/history', 'get'>>;
export type RollbackResponse = Ok<'/meta/targeting/rollback/{history_id}', 'post'>;

export type ExperimentSummary = Item<Ok<'/meta/targeting/experiments', 'get'>>;
export type ExperimentReport = Ok<'/meta/targeting/experiments/{experiment_id}', 'get'>;
export type ArmReport = ExperimentReport['arms']['treatment'];
export type Lift = ExperimentReport['lift']['ctr'];

export type ImportReport = Ok<'/meta/targeting/imports', 'post'>;
export type ImportProblem = Item<ImportReport['problems']>;

export type BacktestReport = Ok<'/meta/targeting/backtest', 'post'>;
