// Every environment variable the product reads, parsed and validated once at start-up.
// Two steps, as in the model codebases: read the raw strings, then validate and default them.
// A bad value stops the program with a message that names the variable; nothing reads
// process.env anywhere else.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isIP } from 'node:net';
import { parseEnv } from 'node:util';
import { DEFAULT_FATIGUE_REST_DAYS, STRATEGIES, strategyNamed, type EngineSettings, type Strategy } from './engine/types.ts';
import { isCurrencyCode } from './engine/money.ts';
import { DEFAULT_OWN_ROWS_SIZE_EXPONENT, DEFAULT_SIZE_EXPONENT } from './engine/segment-value.ts';
import { DEFAULT_TRUST_MULTIPLE } from './engine/geo-value.ts';
import { DEFAULT_EDIT_MIN_GAIN } from './engine/targeting-edits.ts';
import { DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR } from './engine/ad-set-groups.ts';

export interface Config {
  dataDir: string;
  /** postgres://… switches from the embedded PGlite to PostgreSQL. */
  databaseUrl: string | null;
  /** Schema of the app's tables (null: `public`); pg-boss's tables go in `<schema>_pgboss` (null: `pgboss`). */
  databaseSchema: string | null;
  targetingEnabled: boolean;
  /** Hours between scheduled runs, 1 to 168. */
  intervalHours: number;
  /**
   * Epoch milliseconds of one scheduled run (UTC): the runs are this instant plus whole multiples of
   * intervalHours. From META_TARGETING_FIRST_RUN_UTC: a time of day HH:MM anchors the series on
   * 1970-01-01 (so an interval that divides a day runs at HH:MM every day), a date-time anchors it there.
   */
  scheduleAnchorMs: number;
  /** Days of history the optimizer reads back from the latest day with data. */
  windowDays: number;
  defaultCurrency: string;
  logLevel: LogLevel;
  engine: EngineSettings;
  /** The HTTP API (`serve`): listening address, limits and access control. */
  api: ApiConfig;
  /** Days an audit row is kept (0: forever). */
  auditRetentionDays: number;
  /** The Meta Marketing API (LIVE mode): credentials, version, what to read. */
  meta: MetaConfig;
  /** What an apply may do (both modes): the kill switch, approval, and the limits on budget changes. */
  guardrails: GuardrailConfig;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** The scheduler's interval bounds, in whole hours: from hourly to weekly. */
export const MIN_INTERVAL_HOURS = 1;
export const MAX_INTERVAL_HOURS = 168;
/** The default first run: 03:00 UTC, a few hours after Meta settles the previous day's insights. */
export const DEFAULT_FIRST_RUN_UTC = '03:00';

/**
 * META_TARGETING_FIRST_RUN_UTC as the epoch milliseconds of one run: "HH:MM" (on 1970-01-01) or a
 * UTC date-time "YYYY-MM-DDTHH:MM[:SS][Z]". Null when the text is neither.
 */
export function parseFirstRunUtc(text: string): number | null {
  let m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (m) {
    const hour = Number(m[1]);
    const minute = Number(m[2]);
    return hour < 24 && minute < 60 ? Date.UTC(1970, 0, 1, hour, minute) : null;
  }
  m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?(?:Z|\+00:?00)?$/i.exec(text);
  if (!m) return null;
  const [y, mo, d, h, mi, se] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '0'].map(Number) as [number, number, number, number, number, number];
  const t = Date.UTC(y, mo - 1, d, h, mi, se);
  const back = new Date(t);
  return back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && se < 60 ? t : null;
}

/**
 * The environment with the variables of a `.env` file added, as Node's process.loadEnvFile does
 * it: the same parser (util.parseEnv), and a variable already in the environment wins over the file.
 */
export function mergeDotEnv(env: Env, fileText: string): Env {
  const merged: Env = { ...env };
  for (const [name, value] of Object.entries(parseEnv(fileText))) if (merged[name] === undefined) merged[name] = value;
  return merged;
}

/** The environment plus `<cwd>/.env` when that file exists (the entry point's configuration step). */
export function environmentWithDotEnv(env: Env, cwd: string): Env {
  const file = path.join(cwd, '.env');
  return existsSync(file) ? mergeDotEnv(env, readFileSync(file, 'utf8')) : env;
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  private readonly env: Env;
  constructor(env: Env) {
    this.env = env;
  }

  private raw(name: string): string | undefined {
    const v = this.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  }

  number(name: string, fallback: number, rule: { min?: number; max?: number; minExclusive?: number; maxExclusive?: number; integer?: boolean }): number {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    const value = Number(text);
    const where = `${name}=${JSON.stringify(text)}`;
    if (!Number.isFinite(value) || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
      this.problems.push(`${where}: not a number`);
      return fallback;
    }
    if (rule.integer && !Number.isInteger(value)) this.problems.push(`${where}: must be a whole number`);
    else if (rule.min !== undefined && value < rule.min) this.problems.push(`${where}: must be at least ${rule.min}`);
    else if (rule.max !== undefined && value > rule.max) this.problems.push(`${where}: must be at most ${rule.max}`);
    else if (rule.minExclusive !== undefined && value <= rule.minExclusive) this.problems.push(`${where}: must be greater than ${rule.minExclusive}`);
    else if (rule.maxExclusive !== undefined && value >= rule.maxExclusive) this.problems.push(`${where}: must be less than ${rule.maxExclusive}`);
    else return value;
    return fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const text = this.raw(name);
    if (text === undefined) return fallback;
    if (/^(true|1|yes|on)$/i.test(text)) return true;
    if (/^(false|0|no|off)$/i.test(text)) return false;
    this.problems.push(`${name}=${JSON.stringify(text)}: must be true or false`);
    return fallback;
  }

  string(name: string): string | undefined {
    return this.raw(name);
  }
}

function readStrategy(r: Reader): Strategy {
  const text = (r.string('TARGETING_STRATEGY') ?? 'bayes').toLowerCase();
  // `seed`, the former name of `spec`, still works in old .env files and scripts.
  const strategy = strategyNamed(text);
  if (strategy !== null) return strategy;
  r.problems.push(`TARGETING_STRATEGY=${JSON.stringify(text)}: must be one of ${STRATEGIES.join(', ')} (seed is accepted for spec)`);
  return 'bayes';
}

/** One of `values` (any case), the first when the variable is absent; a problem naming the variable otherwise. */
function readOneOf<const T extends string>(r: Reader, name: string, values: readonly [T, ...T[]]): T {
  const text = (r.string(name) ?? values[0]).toLowerCase();
  const found = values.find((v) => v === text);
  if (found !== undefined) return found;
  r.problems.push(`${name}=${JSON.stringify(text)}: must be one of ${values.join(', ')}`);
  return values[0];
}

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const r = new Reader(env);
  const databaseUrl = r.string('DATABASE_URL') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    r.problems.push('DATABASE_URL: must start with postgres:// or postgresql://');
  }
  const databaseSchema = r.string('DATABASE_SCHEMA') ?? null;
  // 56 characters so that the job schema `<schema>_pgboss` stays within PostgreSQL's 63.
  if (databaseSchema !== null && !/^[a-z_][a-z0-9_]{0,55}$/.test(databaseSchema)) {
    r.problems.push(`DATABASE_SCHEMA=${JSON.stringify(databaseSchema)}: must be a lower-case identifier (a-z, 0-9, _; at most 56 characters, not starting with a digit)`);
  }
  const intervalHours = r.number('META_TARGETING_INTERVAL_HOURS', 24, { integer: true, min: MIN_INTERVAL_HOURS, max: MAX_INTERVAL_HOURS });
  const firstRunText = r.string('META_TARGETING_FIRST_RUN_UTC') ?? DEFAULT_FIRST_RUN_UTC;
  const scheduleAnchorMs = parseFirstRunUtc(firstRunText);
  if (scheduleAnchorMs === null) r.problems.push(`META_TARGETING_FIRST_RUN_UTC=${JSON.stringify(firstRunText)}: must be a UTC time of day HH:MM (e.g. 03:00) or a UTC date-time YYYY-MM-DDTHH:MMZ`);
  const defaultCurrency = (r.string('TARGETING_DEFAULT_CURRENCY') ?? 'EUR').toUpperCase();
  if (!isCurrencyCode(defaultCurrency)) r.problems.push(`TARGETING_DEFAULT_CURRENCY=${JSON.stringify(defaultCurrency)}: not an ISO 4217 currency code`);

  const logLevel = (r.string('LOG_LEVEL') ?? 'warn').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) r.problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);

  const spainMinPct = r.number('TARGETING_SPAIN_MIN_PCT', 35, { min: 0, max: 100 });
  const config: Config = {
    dataDir: path.resolve(cwd, r.string('DATA_DIR') ?? 'data'),
    databaseUrl,
    databaseSchema,
    targetingEnabled: r.boolean('META_TARGETING_ENABLED', true),
    intervalHours,
    scheduleAnchorMs: scheduleAnchorMs ?? Date.UTC(1970, 0, 1, 3, 0),
    windowDays: r.number('TARGETING_WINDOW_DAYS', 30, { integer: true, min: 1, max: 400 }),
    defaultCurrency,
    logLevel,
    engine: {
      strategy: readStrategy(r),
      priors: {
        ctr: r.number('TARGETING_PRIOR_CTR', 0.015, { minExclusive: 0, maxExclusive: 1 }),
        cvr: r.number('TARGETING_PRIOR_CVR', 0.02, { minExclusive: 0, maxExclusive: 1 }),
        roas: r.number('TARGETING_PRIOR_ROAS', 2.5, { minExclusive: 0, max: 1000 }),
        strength: r.number('TARGETING_PRIOR_STRENGTH', 100, { minExclusive: 0, max: 1e9 }),
      },
      spainMinPct,
      maxInterests: r.number('TARGETING_MAX_INTERESTS', 15, { integer: true, min: 0, max: 100 }),
      maxBehaviors: r.number('TARGETING_MAX_BEHAVIORS', 10, { integer: true, min: 0, max: 100 }),
      // Only 1 %, 3 % and 5 % lookalikes are generated, so more than three cannot be honoured.
      maxLookalikes: r.number('TARGETING_MAX_LOOKALIKES', 3, { integer: true, min: 0, max: 3 }),
      recentDays: r.number('TARGETING_FATIGUE_RECENT_DAYS', 7, { integer: true, min: 1, max: 90 }),
      fatigueCtrDropRatio: r.number('TARGETING_FATIGUE_CTR_DROP', 0.75, { minExclusive: 0, maxExclusive: 1 }),
      fatigueMaxFrequency: r.number('TARGETING_FATIGUE_MAX_FREQUENCY', 4, { minExclusive: 1, max: 90 }),
      frequencyCap: r.number('TARGETING_FREQUENCY_CAP', 3, { integer: true, min: 1, max: 90 }),
      frequencyWindowDays: r.number('TARGETING_FREQUENCY_WINDOW_DAYS', 7, { integer: true, min: 1, max: 90 }),
      // Above half the slots, exploring would outweigh choosing the best estimates. 0: the loop
      // earns more on every market family without it, and fewer markets lose to the specification's
      // (docs/decision-quality.md); discovered interests get slots of their own (discoveryShare).
      explorationShare: r.number('TARGETING_EXPLORATION_SHARE', 0, { min: 0, max: 0.5 }),
      discoveryShare: r.number('TARGETING_DISCOVERY_SHARE', 0.1, { min: 0, max: 0.5 }),
      // A tenth: enough for a country's first days to say something, little if it disappoints.
      newCountryShare: r.number('TARGETING_NEW_COUNTRY_SHARE', 0.1, { min: 0, max: 0.5 }),
      budgetExplorationShare: r.number('TARGETING_BUDGET_EXPLORATION_SHARE', 0, { min: 0, max: 0.5 }),
      // Two weeks by default: long enough for the people who saw the ads too often to be replaced
      // by others in the audience, short enough to come back within a month's window.
      fatigueRestDays: r.number('TARGETING_FATIGUE_REST_DAYS', DEFAULT_FATIGUE_REST_DAYS, { integer: true, min: 1, max: 365 }),
      countryShareLimits: readCountryShareLimits(r, spainMinPct),
      minCountryBudget: r.number('TARGETING_MIN_COUNTRY_BUDGET', 0, { min: 0, max: 1e9 }),
      // ±20 %: a day's split moves enough to follow the data without resetting Meta's delivery
      // learning in a country at every run.
      maxChangePct: r.number('TARGETING_MAX_CHANGE_PCT', 20, { min: 0, max: 100 }),
      // On: the first recommendation of an ad set moves no more money than the later ones do, from
      // the split the account actually spent, so it passes the same apply guardrail (docs/geo-split.md).
      firstRunChangeLimit: r.boolean('TARGETING_FIRST_RUN_CHANGE_LIMIT', true),
      // Per spend: the budget is what is limited, and audiences differ in what an impression costs
      // (docs/segment-choice.md).
      segmentValue: readOneOf(r, 'TARGETING_SEGMENT_VALUE', ['per_spend', 'per_impression']),
      // Not a variable: stored with each run so that runs decided before it replay as they were.
      limitsOnEverySplit: true,
      changeLimitAsApplied: true,
      // Not a variable either: runs decided before it replay as they were.
      measuredLevelNoise: true,
      testedValueBend: true,
      commonDayCost: true,
      shortHistoryCheck: true,
      sizeExponent: r.number('TARGETING_SIZE_EXPONENT', DEFAULT_SIZE_EXPONENT, { min: 0, max: 1 }),
      ownRowsSizeExponent: r.number('TARGETING_OWN_ROWS_SIZE_EXPONENT', DEFAULT_OWN_ROWS_SIZE_EXPONENT, { min: 0, max: 1 }),
      unknownSizes: readOneOf(r, 'TARGETING_UNKNOWN_SIZES', ['typical', 'unweighed']),
      // Expected value: the specification's rule narrows by scores alone, and a narrower audience
      // saturates sooner; where reach shrinks with the audience it lost 37 to 54 % of the revenue on
      // the market families (docs/demographics.md).
      demographicChoice: readOneOf(r, 'TARGETING_DEMOGRAPHIC_CHOICE', ['expected_value', 'specification']),
      // Not a variable: stored with each run so that runs decided before the campaign pool replay as they were.
      segmentPool: 'campaign',
      // A country's budget may grow to this multiple of its highest daily spend in the window, no
      // further: beyond it the response is extrapolated, not measured (docs/geo-split.md).
      trustMultiple: r.number('TARGETING_TRUST_MULTIPLE', DEFAULT_TRUST_MULTIPLE, { min: 1, max: 100 }),
      // Off: applied after the bayes set choice, the boost reorders a set chosen by measured value
      // and lowers what the loop earns on every market family (docs/segment-choice.md).
      pixelGenreBoost: r.boolean('TARGETING_PIXEL_GENRE_BOOST', false),
      // 3 %: an edit restarts Meta's learning phase; below this gain the interests in force are
      // kept (docs/segment-choice.md).
      editMinGain: r.number('TARGETING_EDIT_MIN_GAIN', DEFAULT_EDIT_MIN_GAIN, { min: 0, max: 1 }),
    },
    api: readApiConfig(r),
    // 400 days: a year of changes plus a quarter, long enough for an annual review.
    auditRetentionDays: r.number('AUDIT_LOG_RETENTION_DAYS', 400, { integer: true, min: 0, max: 36_500 }),
    meta: readMetaConfig(r),
    guardrails: readGuardrailConfig(r),
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/**
 * TARGETING_COUNTRY_SHARE_LIMITS, e.g. "FR:5-30,DE:0-25": each listed country's minimum and maximum
 * share of an ad set's budget, in percent. Limits that no ad set could ever meet together with
 * Spain's floor are configuration errors; the ones that only some ad sets cannot meet (say, every
 * country of an ad set capped below 100 % in total) are relaxed at run time, and the trace says so.
 */
function readCountryShareLimits(r: Reader, spainMinPct: number): Record<string, { minPct: number; maxPct: number }> {
  const name = 'TARGETING_COUNTRY_SHARE_LIMITS';
  const text = r.string(name);
  if (text === undefined) return {};
  const limits: Record<string, { minPct: number; maxPct: number }> = {};
  const problems: string[] = [];
  for (const item of text.split(',').map((x) => x.trim()).filter((x) => x !== '')) {
    const m = /^([A-Za-z]{2})\s*:\s*(\d+(?:\.\d+)?)\s*-\s*(\d+(?:\.\d+)?)$/.exec(item);
    if (!m) {
      problems.push(`${JSON.stringify(item)} is not COUNTRY:MIN-MAX in percent (e.g. FR:5-30)`);
      continue;
    }
    const code = m[1]!.toUpperCase();
    const minPct = Number(m[2]);
    const maxPct = Number(m[3]);
    if (code in limits) problems.push(`${code} is listed twice`);
    else if (maxPct > 100) problems.push(`${code}'s maximum share ${maxPct} % is over 100 %`);
    else if (minPct > maxPct) problems.push(`${code}'s minimum share ${minPct} % is above its maximum ${maxPct} %`);
    else limits[code] = { minPct, maxPct };
  }
  const spain = limits.ES;
  if (spain !== undefined && spain.maxPct < spainMinPct) problems.push(`ES's maximum share ${spain.maxPct} % is below Spain's floor (TARGETING_SPAIN_MIN_PCT = ${spainMinPct} %)`);
  // Spain's floor counts as its minimum share: both must fit in one budget.
  const minimums = Object.entries(limits).reduce((s, [code, l]) => s + (code === 'ES' ? 0 : l.minPct), Math.max(spain?.minPct ?? 0, spainMinPct));
  if (minimums > 100 + 1e-9) problems.push(`the minimum shares, with Spain's floor of ${spainMinPct} %, add up to ${Number(minimums.toFixed(6))} %: over 100 %`);
  if (problems.length === 0) return limits;
  r.problems.push(...problems.map((p) => `${name}=${JSON.stringify(text)}: ${p}`));
  return {};
}

/** The variables, their defaults and meaning: the tables in README.md and docs/ are checked against this list. */
export const CONFIG_VARIABLES = [
  'DATA_DIR',
  'DATABASE_URL',
  'DATABASE_SCHEMA',
  'META_TARGETING_ENABLED',
  'META_TARGETING_INTERVAL_HOURS',
  'META_TARGETING_FIRST_RUN_UTC',
  'TARGETING_WINDOW_DAYS',
  'TARGETING_DEFAULT_CURRENCY',
  'LOG_LEVEL',
  'TARGETING_STRATEGY',
  'TARGETING_PRIOR_CTR',
  'TARGETING_PRIOR_CVR',
  'TARGETING_PRIOR_ROAS',
  'TARGETING_PRIOR_STRENGTH',
  'TARGETING_SPAIN_MIN_PCT',
  'TARGETING_MAX_INTERESTS',
  'TARGETING_MAX_BEHAVIORS',
  'TARGETING_MAX_LOOKALIKES',
  'TARGETING_FATIGUE_RECENT_DAYS',
  'TARGETING_FATIGUE_CTR_DROP',
  'TARGETING_FATIGUE_MAX_FREQUENCY',
  'TARGETING_FREQUENCY_CAP',
  'TARGETING_FREQUENCY_WINDOW_DAYS',
  'TARGETING_EXPLORATION_SHARE',
  'TARGETING_DISCOVERY_SHARE',
  'TARGETING_NEW_COUNTRY_SHARE',
  'TARGETING_BUDGET_EXPLORATION_SHARE',
  'TARGETING_PIXEL_GENRE_BOOST',
  'TARGETING_FATIGUE_REST_DAYS',
  'TARGETING_COUNTRY_SHARE_LIMITS',
  'TARGETING_MIN_COUNTRY_BUDGET',
  'TARGETING_MAX_CHANGE_PCT',
  'TARGETING_FIRST_RUN_CHANGE_LIMIT',
  'TARGETING_SEGMENT_VALUE',
  'TARGETING_TRUST_MULTIPLE',
  'TARGETING_SIZE_EXPONENT',
  'TARGETING_OWN_ROWS_SIZE_EXPONENT',
  'TARGETING_UNKNOWN_SIZES',
  'TARGETING_DEMOGRAPHIC_CHOICE',
  'TARGETING_EDIT_MIN_GAIN',
  'HOST',
  'PORT',
  'JWT_SECRET',
  'JWT_PUBLIC_KEY',
  'JWT_JWKS_URL',
  'JWT_ISSUER',
  'JWT_AUDIENCE',
  'META_TARGETING_LIVE_APPLY_ROLES',
  'API_RATE_LIMIT_PER_MINUTE',
  'API_BODY_LIMIT_BYTES',
  'API_IMPORT_LIMIT_BYTES',
  'API_AUTH_FAILURE_LIMIT_PER_MINUTE',
  'API_TRUST_PROXY',
  'AUDIT_LOG_RETENTION_DAYS',
] as const;

export const API_ROLES = ['admin', 'manager', 'viewer'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface ApiConfig {
  host: string;
  port: number;
  /** HS256 signing secret. Null with no public key either: the embedded secret in DATA_DIR is used. */
  jwtSecret: string | null;
  /** RS256 verification key (PEM, SPKI). */
  jwtPublicKey: string | null;
  /** RS256 verification keys fetched from an identity provider. */
  jwtJwksUrl: string | null;
  jwtIssuer: string | null;
  jwtAudience: string | null;
  /** Roles that may apply a recommendation in LIVE mode (default admin only). */
  liveApplyRoles: ApiRole[];
  /** Requests per minute per token subject on the run and apply endpoints. */
  rateLimitPerMinute: number;
  /** Requests per minute per client address that come without a valid token (or to no route). */
  authFailureLimitPerMinute: number;
  bodyLimitBytes: number;
  /**
   * Which peers' X-Forwarded-For is believed for the client address (rate limits, logs): false =
   * none, a number = that many proxy hops, a list = those proxy addresses or networks.
   */
  trustProxy: false | number | string[];
  /** Largest file POST /meta/targeting/imports accepts (413 above). */
  importLimitBytes: number;
}

function readApiConfig(r: Reader): ApiConfig {
  const jwtSecret = r.string('JWT_SECRET') ?? null;
  // 32 characters: HS256 wants a key of at least 256 bits (RFC 7518 section 3.2).
  if (jwtSecret !== null && jwtSecret.length < 32) r.problems.push('JWT_SECRET: must be at least 32 characters (256 bits)');
  else if (jwtSecret !== null) {
    const weakness = secretWeakness(jwtSecret);
    if (weakness !== null) r.problems.push(`JWT_SECRET: ${weakness}; generate one with: openssl rand -base64 32`);
  }
  // A PEM in one environment line usually carries literal "\n" sequences.
  const jwtPublicKey = r.string('JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n') ?? null;
  if (jwtPublicKey !== null && !jwtPublicKey.includes('-----BEGIN PUBLIC KEY-----')) r.problems.push('JWT_PUBLIC_KEY: must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
  const jwtJwksUrl = r.string('JWT_JWKS_URL') ?? null;
  if (jwtJwksUrl !== null) {
    const problem = jwksUrlProblem(jwtJwksUrl);
    if (problem !== null) r.problems.push(`JWT_JWKS_URL=${JSON.stringify(jwtJwksUrl)}: ${problem}`);
  }
  const keySources = [jwtSecret, jwtPublicKey, jwtJwksUrl].filter((v) => v !== null).length;
  if (keySources > 1) r.problems.push('JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL: set at most one of them (one way to verify tokens)');

  // Admin only by default: a LIVE apply changes real ad sets, so no everyday role may do it unasked.
  const rolesText = r.string('META_TARGETING_LIVE_APPLY_ROLES') ?? 'admin';
  const liveApplyRoles = rolesText.split(',').map((x) => x.trim().toLowerCase()).filter((x) => x !== '');
  const unknownRoles = liveApplyRoles.filter((x) => !(API_ROLES as readonly string[]).includes(x));
  if (unknownRoles.length > 0) r.problems.push(`META_TARGETING_LIVE_APPLY_ROLES=${JSON.stringify(rolesText)}: unknown role(s) ${unknownRoles.join(', ')}; roles are ${API_ROLES.join(', ')}`);

  const host = r.string('HOST') ?? '127.0.0.1';
  if (/\s/.test(host)) r.problems.push(`HOST=${JSON.stringify(host)}: must be a host name or address`);
  return {
    host,
    // 0 asks the system for a free port (tests, benchmarks).
    port: r.number('PORT', 8080, { integer: true, min: 0, max: 65535 }),
    jwtSecret,
    jwtPublicKey,
    jwtJwksUrl,
    jwtIssuer: r.string('JWT_ISSUER') ?? null,
    jwtAudience: r.string('JWT_AUDIENCE') ?? null,
    liveApplyRoles: [...new Set(liveApplyRoles)].filter((x): x is ApiRole => (API_ROLES as readonly string[]).includes(x)),
    rateLimitPerMinute: r.number('API_RATE_LIMIT_PER_MINUTE', 60, { integer: true, min: 1, max: 1_000_000 }),
    // 64 KiB: the largest legitimate body (an apply request) is under 200 bytes.
    bodyLimitBytes: r.number('API_BODY_LIMIT_BYTES', 65_536, { integer: true, min: 1_024, max: 10_485_760 }),
    // 20 MiB: an Ads Manager export of a large account over a month; bigger files go through the CLI's import.
    importLimitBytes: r.number('API_IMPORT_LIMIT_BYTES', 20_971_520, { integer: true, min: 1_024, max: 536_870_912 }),
    // 30 a minute: a person mistyping a token never needs more; a script without one gets 429s
    // (no log line, no audit row each) instead of filling the logs.
    authFailureLimitPerMinute: r.number('API_AUTH_FAILURE_LIMIT_PER_MINUTE', 30, { integer: true, min: 1, max: 1_000_000 }),
    trustProxy: readTrustProxy(r),
  };
}

/** API_TRUST_PROXY: unset, a hop count or the proxies' addresses; never "trust every peer". */
function readTrustProxy(r: Reader): false | number | string[] {
  const text = r.string('API_TRUST_PROXY');
  if (text === undefined || text === '' || text.toLowerCase() === 'false') return false;
  const name = `API_TRUST_PROXY=${JSON.stringify(text)}`;
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    if (hops < 1 || hops > 10) r.problems.push(`${name}: a hop count must be 1 to 10`);
    return hops;
  }
  // Trusting every peer would let any client choose the address its rate limit is counted under.
  if (text.toLowerCase() === 'true') {
    r.problems.push(`${name}: name the proxies (addresses or networks, comma-separated) or the number of proxy hops; "true" would believe any client's X-Forwarded-For`);
    return false;
  }
  const proxies = text.split(',').map((x) => x.trim()).filter((x) => x !== '');
  const bad = proxies.filter((x) => !isAddressOrNetwork(x));
  if (bad.length > 0) r.problems.push(`${name}: not an IP address or network: ${bad.join(', ')}`);
  return proxies;
}

function isAddressOrNetwork(text: string): boolean {
  const [address = '', prefix, ...rest] = text.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Why an HS256 secret is too guessable, or null. The length check alone let 32 × "a" through:
 * a secret must also use at least 10 distinct characters and carry at least 128 bits by its
 * own character frequencies (Shannon entropy × length). A random base64 secret of 32 bytes
 * (44 characters) carries ~230 bits by that measure; "a" repeated carries 0.
 */
export function secretWeakness(secret: string): string | null {
  const counts = new Map<string, number>();
  for (const ch of secret) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  if (counts.size < 10) return `uses only ${counts.size} distinct character(s); a secret needs at least 10`;
  const n = [...secret].length;
  let bitsPerChar = 0;
  for (const c of counts.values()) bitsPerChar -= (c / n) * Math.log2(c / n);
  const bits = bitsPerChar * n;
  if (bits < 128) return `too predictable (about ${Math.floor(bits)} bits by its character frequencies; at least 128 needed)`;
  return null;
}

/** JWKS keys decide who may do anything: fetched over https only; http is allowed for a loopback host (a local identity provider, tests). */
export function jwksUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an https URL';
  }
  if (url.protocol === 'https:') return null;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (url.protocol === 'http:' && loopback) return null;
  return url.protocol === 'http:' ? 'must be https (plain http is allowed only for a loopback host such as 127.0.0.1)' : 'must be an https URL';
}

/** The Meta variables, documented in docs/configuration-live.md. */
export const META_CONFIG_VARIABLES = [
  'META_ACCESS_TOKEN',
  'META_AD_ACCOUNT_ID',
  'META_API_VERSION',
  'META_GRAPH_URL',
  'META_PURCHASE_ACTION_TYPE',
  'META_INSIGHTS_DAYS',
  'META_INSIGHTS_LOOKBACK_DAYS',
  'META_TARGETING_MODE',
  'META_REQUEST_TIMEOUT_MS',
  'META_MAX_RETRIES',
  'META_ADVANTAGE_AUDIENCE',
  'META_SPLIT_MIN_DAILY_BUDGET_MINOR',
  'META_TARGETING_APPLY_ENABLED',
  'META_TARGETING_APPROVAL_REQUIRED',
  'META_TARGETING_MIN_CONFIDENCE',
  'META_TARGETING_MAX_BUDGET_CHANGE_PCT',
  'META_TARGETING_MAX_BUDGET_CHANGES_PER_HOUR',
  'META_TARGETING_DAILY_BUDGET_MOVE_CAP',
] as const;

export const TARGETING_MODES = ['stub', 'live'] as const;
export type TargetingMode = (typeof TARGETING_MODES)[number];

export interface MetaConfig {
  /** Never logged, stored or echoed, not even in a configuration error. */
  accessToken: string | null;
  /** `act_` followed by digits. */
  adAccountId: string | null;
  /** `v26.0` */
  apiVersion: string;
  /** Origin of the Graph API, without a trailing slash. */
  graphUrl: string;
  /** The one action type counted as a purchase (never a sum of overlapping types). */
  purchaseActionType: string;
  /** Days of insights the first sync reads. */
  insightsDays: number;
  /** Days before the last complete one that every later sync reads again (Meta restates recent days). */
  lookbackDays: number;
  /** What the scheduler runs. */
  targetingMode: TargetingMode;
  requestTimeoutMs: number;
  /** Retries of one call on transient errors. */
  maxRetries: number;
  /** targeting_automation.advantage_audience sent with every applied targeting: 0 (off) or 1. */
  advantageAudience: 0 | 1;
  /** A country whose daily budget is under this (account currency minor units) shares the pooled ad set of a geo split. */
  splitMinDailyBudgetMinor: number;
}

function readMetaConfig(r: Reader): MetaConfig {
  const accessToken = r.string('META_ACCESS_TOKEN') ?? null;
  // The value is never repeated in the message: a half-pasted token is still a secret.
  if (accessToken !== null && !/^[A-Za-z0-9_\-.|]{20,}$/.test(accessToken)) r.problems.push('META_ACCESS_TOKEN: malformed (expected at least 20 letters, digits or _-.| and no spaces; the value is not shown)');
  const adAccountId = r.string('META_AD_ACCOUNT_ID') ?? null;
  if (adAccountId !== null && !/^act_\d{1,20}$/.test(adAccountId)) r.problems.push(`META_AD_ACCOUNT_ID=${JSON.stringify(adAccountId)}: must be act_ followed by the account's digits (act_1234567890)`);
  const apiVersion = r.string('META_API_VERSION') ?? 'v26.0';
  if (!/^v\d{1,3}\.\d$/.test(apiVersion)) r.problems.push(`META_API_VERSION=${JSON.stringify(apiVersion)}: must look like v26.0`);
  const graphUrl = (r.string('META_GRAPH_URL') ?? 'https://graph.facebook.com').replace(/\/+$/, '');
  if (!/^https?:\/\/[^\s/?#]+$/.test(graphUrl)) r.problems.push(`META_GRAPH_URL=${JSON.stringify(graphUrl)}: must be an http(s) origin such as https://graph.facebook.com (no path)`);
  const purchaseActionType = r.string('META_PURCHASE_ACTION_TYPE') ?? 'offsite_conversion.fb_pixel_purchase';
  if (!/^[a-z0-9_.]+$/.test(purchaseActionType)) r.problems.push(`META_PURCHASE_ACTION_TYPE=${JSON.stringify(purchaseActionType)}: must be one action type such as offsite_conversion.fb_pixel_purchase or omni_purchase`);
  const modeText = (r.string('META_TARGETING_MODE') ?? 'stub').toLowerCase();
  const targetingMode: TargetingMode = (TARGETING_MODES as readonly string[]).includes(modeText) ? (modeText as TargetingMode) : 'stub';
  if (targetingMode !== modeText) r.problems.push(`META_TARGETING_MODE=${JSON.stringify(modeText)}: must be stub or live`);
  const meta: MetaConfig = {
    accessToken,
    adAccountId,
    apiVersion,
    graphUrl,
    purchaseActionType,
    // 37 months: the oldest day Meta's insights keep.
    insightsDays: r.number('META_INSIGHTS_DAYS', 30, { integer: true, min: 1, max: 1_110 }),
    lookbackDays: r.number('META_INSIGHTS_LOOKBACK_DAYS', 7, { integer: true, min: 0, max: 28 }),
    targetingMode,
    requestTimeoutMs: r.number('META_REQUEST_TIMEOUT_MS', 60_000, { integer: true, min: 100, max: 600_000 }),
    maxRetries: r.number('META_MAX_RETRIES', 5, { integer: true, min: 0, max: 20 }),
    advantageAudience: r.number('META_ADVANTAGE_AUDIENCE', 0, { integer: true, min: 0, max: 1 }) === 1 ? 1 : 0,
    splitMinDailyBudgetMinor: r.number('META_SPLIT_MIN_DAILY_BUDGET_MINOR', DEFAULT_SPLIT_MIN_DAILY_BUDGET_MINOR, { integer: true, min: 100, max: 1_000_000_000 }),
  };
  // The scheduler in LIVE mode calls Meta on its own: it must not start without credentials.
  if (targetingMode === 'live') r.problems.push(...metaCredentialProblems(meta));
  return meta;
}

/** What LIVE mode lacks to call Meta (empty: it can call). The token's value is never included. */
export function metaCredentialProblems(meta: Pick<MetaConfig, 'accessToken' | 'adAccountId'>): string[] {
  const problems: string[] = [];
  if (meta.accessToken === null) problems.push('META_ACCESS_TOKEN: required in LIVE mode (a token with ads_read on the ad account)');
  if (meta.adAccountId === null) problems.push('META_AD_ACCOUNT_ID: required in LIVE mode (act_ followed by the account\'s digits)');
  return problems;
}

export interface GuardrailConfig {
  /** The kill switch per mode. Unset: STUB applies (it only simulates), LIVE does not until set to true. */
  applyEnabled: { stub: boolean; live: boolean };
  /** A manager's apply becomes a proposal that an admin approves. */
  approvalRequired: boolean;
  minConfidence: number;
  maxBudgetChangePct: number;
  maxBudgetChangesPerHour: number;
  /** Budget moved in any 24 hours, all ad sets together, in major units of each campaign's currency (a decimal string); null: no cap. */
  dailyBudgetMoveCap: string | null;
}

function readGuardrailConfig(r: Reader): GuardrailConfig {
  const switchText = r.string('META_TARGETING_APPLY_ENABLED');
  const enabled = switchText === undefined ? null : r.boolean('META_TARGETING_APPLY_ENABLED', false);
  const cap = r.string('META_TARGETING_DAILY_BUDGET_MOVE_CAP') ?? null;
  if (cap !== null && !/^(\d+(\.\d*)?|\.\d+)$/.test(cap)) r.problems.push(`META_TARGETING_DAILY_BUDGET_MOVE_CAP=${JSON.stringify(cap)}: must be an amount in major units of the account currency, such as 500 or 250.50`);
  return {
    applyEnabled: enabled === null ? { stub: true, live: false } : { stub: enabled, live: enabled },
    approvalRequired: r.boolean('META_TARGETING_APPROVAL_REQUIRED', false),
    minConfidence: r.number('META_TARGETING_MIN_CONFIDENCE', 0.6, { min: 0, max: 1 }),
    // ±20 %: large enough to follow the data, small enough not to reset Meta's learning phase at every run.
    maxBudgetChangePct: r.number('META_TARGETING_MAX_BUDGET_CHANGE_PCT', 20, { minExclusive: 0, max: 1000 }),
    // Meta refuses a fifth budget change of an ad set within an hour (code 17): never ask for it.
    maxBudgetChangesPerHour: r.number('META_TARGETING_MAX_BUDGET_CHANGES_PER_HOUR', 4, { integer: true, min: 0, max: 4 }),
    dailyBudgetMoveCap: cap,
  };
}
