// Every environment variable the product reads, parsed and validated once at start-up.
// Two steps, as in the model codebases: read the raw strings, then validate and default them.
// A bad value stops the program with a message that names the variable; nothing reads
// process.env anywhere else.
import path from 'node:path';
import type { EngineSettings } from './engine/types.ts';
import { isCurrencyCode } from './engine/money.ts';

export interface Config {
  dataDir: string;
  /** postgres://… switches from the embedded PGlite to PostgreSQL. */
  databaseUrl: string | null;
  targetingEnabled: boolean;
  intervalHours: number;
  /** Days of history the optimizer reads back from the latest day with data. */
  windowDays: number;
  defaultCurrency: string;
  logLevel: LogLevel;
  engine: EngineSettings;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

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

export function loadConfig(env: Env = process.env, cwd: string = process.cwd()): Config {
  const r = new Reader(env);
  const databaseUrl = r.string('DATABASE_URL') ?? null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    r.problems.push('DATABASE_URL: must start with postgres:// or postgresql://');
  }
  const defaultCurrency = (r.string('TARGETING_DEFAULT_CURRENCY') ?? 'EUR').toUpperCase();
  if (!isCurrencyCode(defaultCurrency)) r.problems.push(`TARGETING_DEFAULT_CURRENCY=${JSON.stringify(defaultCurrency)}: not an ISO 4217 currency code`);

  const logLevel = (r.string('LOG_LEVEL') ?? 'warn').toLowerCase() as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) r.problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: must be one of ${LOG_LEVELS.join(', ')}`);

  const config: Config = {
    dataDir: path.resolve(cwd, r.string('DATA_DIR') ?? 'data'),
    databaseUrl,
    targetingEnabled: r.boolean('META_TARGETING_ENABLED', true),
    intervalHours: r.number('META_TARGETING_INTERVAL_HOURS', 24, { minExclusive: 0, max: 24 * 31 }),
    windowDays: r.number('TARGETING_WINDOW_DAYS', 30, { integer: true, min: 1, max: 400 }),
    defaultCurrency,
    logLevel,
    engine: {
      priors: {
        ctr: r.number('TARGETING_PRIOR_CTR', 0.015, { minExclusive: 0, maxExclusive: 1 }),
        cvr: r.number('TARGETING_PRIOR_CVR', 0.02, { minExclusive: 0, maxExclusive: 1 }),
        roas: r.number('TARGETING_PRIOR_ROAS', 2.5, { minExclusive: 0, max: 1000 }),
        strength: r.number('TARGETING_PRIOR_STRENGTH', 100, { minExclusive: 0, max: 1e9 }),
      },
      spainMinPct: r.number('TARGETING_SPAIN_MIN_PCT', 35, { min: 0, max: 100 }),
      maxInterests: r.number('TARGETING_MAX_INTERESTS', 15, { integer: true, min: 0, max: 100 }),
      maxBehaviors: r.number('TARGETING_MAX_BEHAVIORS', 10, { integer: true, min: 0, max: 100 }),
      // Only 1 %, 3 % and 5 % lookalikes are generated, so more than three cannot be honoured.
      maxLookalikes: r.number('TARGETING_MAX_LOOKALIKES', 3, { integer: true, min: 0, max: 3 }),
      recentDays: r.number('TARGETING_FATIGUE_RECENT_DAYS', 7, { integer: true, min: 1, max: 90 }),
      fatigueCtrDropRatio: r.number('TARGETING_FATIGUE_CTR_DROP', 0.75, { minExclusive: 0, maxExclusive: 1 }),
      fatigueMaxFrequency: r.number('TARGETING_FATIGUE_MAX_FREQUENCY', 4, { minExclusive: 1, max: 90 }),
      frequencyCap: r.number('TARGETING_FREQUENCY_CAP', 3, { integer: true, min: 1, max: 90 }),
      frequencyWindowDays: r.number('TARGETING_FREQUENCY_WINDOW_DAYS', 7, { integer: true, min: 1, max: 90 }),
    },
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** The variables, their defaults and meaning: the README's table is checked against this list. */
export const CONFIG_VARIABLES = [
  'DATA_DIR',
  'DATABASE_URL',
  'META_TARGETING_ENABLED',
  'META_TARGETING_INTERVAL_HOURS',
  'TARGETING_WINDOW_DAYS',
  'TARGETING_DEFAULT_CURRENCY',
  'LOG_LEVEL',
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
] as const;
