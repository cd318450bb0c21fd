// Every environment variable the product reads, parsed and validated once at start-up.
// Two steps, as in the model codebases: read the raw strings, then validate and default them.
// A bad value stops the program with a message that names the variable; nothing reads
// process.env anywhere else.
import path from 'node:path';
import { DEFAULT_FATIGUE_REST_DAYS, STRATEGIES, type EngineSettings, type Strategy } from './engine/types.ts';
import { isCurrencyCode } from './engine/money.ts';
import { DEFAULT_SIZE_EXPONENT } from './engine/segment-value.ts';
import { DEFAULT_TRUST_MULTIPLE } from './engine/geo-value.ts';

export interface Config {
  dataDir: string;
  /** postgres://… switches from the embedded PGlite to PostgreSQL. */
  databaseUrl: string | null;
  /** Schema of the app's tables (null: `public`); pg-boss's tables go in `<schema>_pgboss` (null: `pgboss`). */
  databaseSchema: string | null;
  targetingEnabled: boolean;
  intervalHours: number;
  /** Days of history the optimizer reads back from the latest day with data. */
  windowDays: number;
  defaultCurrency: string;
  logLevel: LogLevel;
  engine: EngineSettings;
  /** The HTTP API (`serve`): listening address, limits and access control. */
  api: ApiConfig;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Scheduler intervals a daily cron expression can repeat exactly: the divisors of 24. */
export const INTERVAL_HOURS: readonly number[] = [1, 2, 3, 4, 6, 8, 12, 24];

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
  if ((STRATEGIES as readonly string[]).includes(text)) return text as Strategy;
  r.problems.push(`TARGETING_STRATEGY=${JSON.stringify(text)}: must be one of ${STRATEGIES.join(', ')}`);
  return 'bayes';
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
  const intervalHours = r.number('META_TARGETING_INTERVAL_HOURS', 24, { integer: true, min: 1 });
  // The scheduler is a pg-boss cron expression: only whole hours that divide a day repeat at the
  // same hours every day (`0 */5 * * *` would run at 20:00 and again at 00:00, 4 hours apart).
  if (!INTERVAL_HOURS.includes(intervalHours)) {
    r.problems.push(`META_TARGETING_INTERVAL_HOURS=${JSON.stringify(String(intervalHours))}: must divide a day: one of ${INTERVAL_HOURS.join(', ')}`);
  }
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
      // Above half the slots, exploring would outweigh choosing the best estimates. 0.1, the issue's
      // figure, pays a little in bench:quality's 28-day loop — see README "Decision quality".
      explorationShare: r.number('TARGETING_EXPLORATION_SHARE', 0.1, { min: 0, max: 0.5 }),
      budgetExplorationShare: r.number('TARGETING_BUDGET_EXPLORATION_SHARE', 0, { min: 0, max: 0.5 }),
      // Two weeks by default: long enough for the people who saw the ads too often to be replaced
      // by others in the audience, short enough to come back within a month's window.
      fatigueRestDays: r.number('TARGETING_FATIGUE_REST_DAYS', DEFAULT_FATIGUE_REST_DAYS, { integer: true, min: 1, max: 365 }),
      countryShareLimits: readCountryShareLimits(r, spainMinPct),
      minCountryBudget: r.number('TARGETING_MIN_COUNTRY_BUDGET', 0, { min: 0, max: 1e9 }),
      // ±20 %: a day's split moves enough to follow the data without resetting Meta's delivery
      // learning in a country at every run.
      maxChangePct: r.number('TARGETING_MAX_CHANGE_PCT', 20, { min: 0, max: 100 }),
      sizeExponent: r.number('TARGETING_SIZE_EXPONENT', DEFAULT_SIZE_EXPONENT, { min: 0, max: 1 }),
      // A country's budget may grow to this multiple of its highest daily spend in the window, no
      // further: beyond it the response is extrapolated, not measured (docs/geo-split.md).
      trustMultiple: r.number('TARGETING_TRUST_MULTIPLE', DEFAULT_TRUST_MULTIPLE, { min: 1, max: 100 }),
    },
    api: readApiConfig(r),
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

/** The variables, their defaults and meaning: the README's table is checked against this list. */
export const CONFIG_VARIABLES = [
  'DATA_DIR',
  'DATABASE_URL',
  'DATABASE_SCHEMA',
  'META_TARGETING_ENABLED',
  'META_TARGETING_INTERVAL_HOURS',
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
  'TARGETING_BUDGET_EXPLORATION_SHARE',
  'TARGETING_FATIGUE_REST_DAYS',
  'TARGETING_COUNTRY_SHARE_LIMITS',
  'TARGETING_MIN_COUNTRY_BUDGET',
  'TARGETING_MAX_CHANGE_PCT',
  'TARGETING_TRUST_MULTIPLE',
  'TARGETING_SIZE_EXPONENT',
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
  /** Roles that may apply a recommendation in LIVE mode (the specification: admin, manager). */
  liveApplyRoles: ApiRole[];
  /** Requests per minute per token subject on the run and apply endpoints. */
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
}

function readApiConfig(r: Reader): ApiConfig {
  const jwtSecret = r.string('JWT_SECRET') ?? null;
  // 32 characters: HS256 wants a key of at least 256 bits (RFC 7518 section 3.2).
  if (jwtSecret !== null && jwtSecret.length < 32) r.problems.push('JWT_SECRET: must be at least 32 characters (256 bits)');
  // A PEM in one environment line usually carries literal "\n" sequences.
  const jwtPublicKey = r.string('JWT_PUBLIC_KEY')?.replace(/\\n/g, '\n') ?? null;
  if (jwtPublicKey !== null && !jwtPublicKey.includes('-----BEGIN PUBLIC KEY-----')) r.problems.push('JWT_PUBLIC_KEY: must be a PEM public key (-----BEGIN PUBLIC KEY-----)');
  const jwtJwksUrl = r.string('JWT_JWKS_URL') ?? null;
  if (jwtJwksUrl !== null && !/^https?:\/\/[^\s]+$/.test(jwtJwksUrl)) r.problems.push(`JWT_JWKS_URL=${JSON.stringify(jwtJwksUrl)}: must be an http(s) URL`);
  const keySources = [jwtSecret, jwtPublicKey, jwtJwksUrl].filter((v) => v !== null).length;
  if (keySources > 1) r.problems.push('JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL: set at most one of them (one way to verify tokens)');

  const rolesText = r.string('META_TARGETING_LIVE_APPLY_ROLES') ?? 'admin,manager';
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
  };
}
