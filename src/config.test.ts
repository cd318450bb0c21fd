import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, environmentWithDotEnv, loadConfig, mergeDotEnv, META_CONFIG_VARIABLES } from './config.ts';

describe('loadConfig', () => {
  it('has the specification defaults', () => {
    const c = loadConfig({}, '/srv');
    expect(c.dataDir).toBe('/srv/data');
    expect(c.databaseUrl).toBeNull();
    expect(c.targetingEnabled).toBe(true);
    expect(c.intervalHours).toBe(24);
    expect(c.engine.priors).toEqual({ ctr: 0.015, cvr: 0.02, roas: 2.5, strength: 100 });
    expect(c.engine).toMatchObject({ spainMinPct: 35, maxInterests: 15, maxBehaviors: 10, maxLookalikes: 3 });
  });

  it('reads overrides', () => {
    const c = loadConfig({ TARGETING_PRIOR_CTR: '0.02', TARGETING_SPAIN_MIN_PCT: '40.5', META_TARGETING_ENABLED: 'false', DATABASE_URL: 'postgres://u@h/db', TARGETING_DEFAULT_CURRENCY: 'usd' }, '/srv');
    expect(c.engine.priors.ctr).toBe(0.02);
    expect(c.engine.spainMinPct).toBe(40.5);
    expect(c.targetingEnabled).toBe(false);
    expect(c.databaseUrl).toBe('postgres://u@h/db');
    expect(c.defaultCurrency).toBe('USD');
  });

  it('names the specification\'s strategy spec, and still accepts its former name seed', () => {
    expect(loadConfig({}, '/srv').engine.strategy).toBe('bayes');
    expect(loadConfig({ TARGETING_STRATEGY: 'spec' }, '/srv').engine.strategy).toBe('spec');
    expect(loadConfig({ TARGETING_STRATEGY: 'SEED' }, '/srv').engine.strategy).toBe('spec');
    expect(() => loadConfig({ TARGETING_STRATEGY: 'greedy' }, '/srv')).toThrow(/TARGETING_STRATEGY="greedy": must be one of spec, bayes \(seed is accepted for spec\)/);
  });

  it('reports every bad value at once, naming each variable', () => {
    const bad = {
      TARGETING_PRIOR_CTR: '1.5',
      TARGETING_PRIOR_CVR: 'abc',
      TARGETING_SPAIN_MIN_PCT: '-1',
      TARGETING_MAX_INTERESTS: '2.5',
      TARGETING_MAX_LOOKALIKES: '4',
      META_TARGETING_ENABLED: 'maybe',
      DATABASE_URL: 'mysql://x',
      TARGETING_DEFAULT_CURRENCY: 'EURO',
      LOG_LEVEL: 'loud',
    };
    let error: unknown;
    try {
      loadConfig(bad, '/srv');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    for (const name of Object.keys(bad)) expect(problems.some((p) => p.startsWith(name))).toBe(true);
    expect(problems).toHaveLength(Object.keys(bad).length);
  });

  it('reads the exploration shares: none of the slots, 0.1 of them for discoveries and none of the budget by default, 0 to 0.5, anything else named as a problem', () => {
    expect(loadConfig({}, '/srv').engine.explorationShare).toBe(0);
    expect(loadConfig({}, '/srv').engine.discoveryShare).toBe(0.1);
    expect(loadConfig({ TARGETING_DISCOVERY_SHARE: '0' }, '/srv').engine.discoveryShare).toBe(0);
    for (const bad of ['0.51', '-0.1', 'some']) expect(() => loadConfig({ TARGETING_DISCOVERY_SHARE: bad }, '/srv')).toThrow(/TARGETING_DISCOVERY_SHARE/);
    expect(loadConfig({ TARGETING_EXPLORATION_SHARE: '0' }, '/srv').engine.explorationShare).toBe(0);
    expect(loadConfig({ TARGETING_EXPLORATION_SHARE: '0.1' }, '/srv').engine.explorationShare).toBe(0.1);
    expect(loadConfig({ TARGETING_EXPLORATION_SHARE: '0.5' }, '/srv').engine.explorationShare).toBe(0.5);
    for (const bad of ['0.51', '-0.1', 'some']) expect(() => loadConfig({ TARGETING_EXPLORATION_SHARE: bad }, '/srv')).toThrow(/TARGETING_EXPLORATION_SHARE/);
    expect(loadConfig({}, '/srv').engine.budgetExplorationShare).toBe(0);
    expect(loadConfig({ TARGETING_BUDGET_EXPLORATION_SHARE: '0.1' }, '/srv').engine.budgetExplorationShare).toBe(0.1);
    for (const bad of ['0.6', '-1', 'ten']) expect(() => loadConfig({ TARGETING_BUDGET_EXPLORATION_SHARE: bad }, '/srv')).toThrow(/TARGETING_BUDGET_EXPLORATION_SHARE/);
  });

  it('reads the apply guardrails: LIVE off and STUB on until the switch is set, 0.6, ±20 %, 4 an hour, no daily cap', () => {
    expect(loadConfig({}, '/srv').guardrails).toEqual({ applyEnabled: { stub: true, live: false }, approvalRequired: false, minConfidence: 0.6, maxBudgetChangePct: 20, maxBudgetChangesPerHour: 4, dailyBudgetMoveCap: null });
    expect(loadConfig({ META_TARGETING_APPLY_ENABLED: 'true' }, '/srv').guardrails.applyEnabled).toEqual({ stub: true, live: true });
    expect(loadConfig({ META_TARGETING_APPLY_ENABLED: 'false' }, '/srv').guardrails.applyEnabled).toEqual({ stub: false, live: false });
    expect(loadConfig({ META_TARGETING_DAILY_BUDGET_MOVE_CAP: '250.50', META_TARGETING_APPROVAL_REQUIRED: 'yes' }, '/srv').guardrails).toMatchObject({ dailyBudgetMoveCap: '250.50', approvalRequired: true });
    for (const [name, value] of [['META_TARGETING_APPLY_ENABLED', 'maybe'], ['META_TARGETING_MIN_CONFIDENCE', '1.5'], ['META_TARGETING_MAX_BUDGET_CHANGE_PCT', '0'], ['META_TARGETING_MAX_BUDGET_CHANGES_PER_HOUR', '5'], ['META_TARGETING_DAILY_BUDGET_MOVE_CAP', '-3'], ['META_TARGETING_DAILY_BUDGET_MOVE_CAP', '500 EUR']] as const) {
      expect(() => loadConfig({ [name]: value }, '/srv'), `${name}=${value}`).toThrow(new RegExp(`${name}=${JSON.stringify(value).replace(/[.]/g, '\\.')}`));
    }
  });

  it('reads the fatigue rest: 14 days by default, a whole number of days from 1 to 365', () => {
    expect(loadConfig({}, '/srv').engine.fatigueRestDays).toBe(14);
    expect(loadConfig({ TARGETING_FATIGUE_REST_DAYS: '7' }, '/srv').engine.fatigueRestDays).toBe(7);
    expect(loadConfig({ TARGETING_FATIGUE_REST_DAYS: '365' }, '/srv').engine.fatigueRestDays).toBe(365);
    for (const bad of ['0', '366', '2.5', '-1', 'two weeks']) expect(() => loadConfig({ TARGETING_FATIGUE_REST_DAYS: bad }, '/srv')).toThrow(/TARGETING_FATIGUE_REST_DAYS/);
  });

  it('reads the limits of the bayes geo split: none, no minimum and ±20 % by default', () => {
    expect(loadConfig({}, '/srv').engine).toMatchObject({ countryShareLimits: {}, minCountryBudget: 0, maxChangePct: 20 });
    const c = loadConfig({ TARGETING_COUNTRY_SHARE_LIMITS: 'FR:5-30, de:0-25.5,ES:40-100,', TARGETING_MIN_COUNTRY_BUDGET: '12.50', TARGETING_MAX_CHANGE_PCT: '100' }, '/srv');
    expect(c.engine.countryShareLimits).toEqual({ FR: { minPct: 5, maxPct: 30 }, DE: { minPct: 0, maxPct: 25.5 }, ES: { minPct: 40, maxPct: 100 } });
    expect(c.engine).toMatchObject({ minCountryBudget: 12.5, maxChangePct: 100 });
    for (const bad of ['-1', '101', 'lots']) expect(() => loadConfig({ TARGETING_MAX_CHANGE_PCT: bad }, '/srv')).toThrow(/TARGETING_MAX_CHANGE_PCT/);
    for (const bad of ['-1', 'ten']) expect(() => loadConfig({ TARGETING_MIN_COUNTRY_BUDGET: bad }, '/srv')).toThrow(/TARGETING_MIN_COUNTRY_BUDGET/);
  });

  it('names the share limits\' problem: syntax, contradictions, and limits no ad set could meet with Spain\'s floor', () => {
    const problem = (value: string, env: Record<string, string> = {}) => {
      try {
        loadConfig({ TARGETING_COUNTRY_SHARE_LIMITS: value, ...env }, '/srv');
      } catch (e) {
        const problems = (e as ConfigError).problems;
        expect(problems.every((p) => p.startsWith('TARGETING_COUNTRY_SHARE_LIMITS='))).toBe(true);
        return problems.join('\n');
      }
      return null;
    };
    expect(problem('FR=5-30')).toMatch(/"FR=5-30" is not COUNTRY:MIN-MAX/);
    expect(problem('FRA:5-30')).toMatch(/not COUNTRY:MIN-MAX/);
    expect(problem('FR:-5-30')).toMatch(/not COUNTRY:MIN-MAX/);
    expect(problem('FR:30-5')).toMatch(/FR's minimum share 30 % is above its maximum 5 %/);
    expect(problem('FR:5-130')).toMatch(/FR's maximum share 130 % is over 100 %/);
    expect(problem('FR:5-30,fr:1-2')).toMatch(/FR is listed twice/);
    expect(problem('ES:0-30')).toMatch(/ES's maximum share 30 % is below Spain's floor \(TARGETING_SPAIN_MIN_PCT = 35 %\)/);
    expect(problem('FR:40-50,DE:30-40')).toMatch(/add up to 105 %: over 100 %/);
    // ES's own minimum counts where it is above the floor; FR and DE then fit exactly.
    expect(problem('ES:50-100,FR:30-50,DE:20-40')).toBeNull();
    expect(problem('ES:50-100,FR:30-50,DE:21-40')).toMatch(/add up to 101 %/);
    expect(problem('FR:40-50,DE:30-40', { TARGETING_SPAIN_MIN_PCT: '30' })).toBeNull();
  });

  it('reads AUDIT_LOG_RETENTION_DAYS (400 by default, 0 keeps forever) and API_AUTH_FAILURE_LIMIT_PER_MINUTE, refusing bad values by name', () => {
    expect(loadConfig({}).auditRetentionDays).toBe(400);
    expect(loadConfig({ AUDIT_LOG_RETENTION_DAYS: '0' }).auditRetentionDays).toBe(0);
    expect(loadConfig({ API_AUTH_FAILURE_LIMIT_PER_MINUTE: '5' }).api.authFailureLimitPerMinute).toBe(5);
    for (const [name, value] of [['AUDIT_LOG_RETENTION_DAYS', '-1'], ['AUDIT_LOG_RETENTION_DAYS', '1.5'], ['AUDIT_LOG_RETENTION_DAYS', 'forever'], ['API_AUTH_FAILURE_LIMIT_PER_MINUTE', '0']] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(new RegExp(`${name}="${value.replace('.', '\\.')}"`));
    }
  });

  it('documents every variable in the README or docs/, and lists every variable it reads', () => {
    const docs = new URL('../docs/', import.meta.url);
    const readme = [readFileSync(new URL('../README.md', import.meta.url), 'utf8'), ...readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => readFileSync(new URL(f, docs), 'utf8'))].join('\n');
    for (const name of CONFIG_VARIABLES) expect(readme).toContain(`| \`${name}\``);
    const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
    const read = [...source.matchAll(/r\.(?:number|string|boolean)\('([A-Z_]+)'/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(30);
    for (const name of read) expect([...CONFIG_VARIABLES, ...META_CONFIG_VARIABLES]).toContain(name);
    const live = readFileSync(new URL('../docs/configuration-live.md', import.meta.url), 'utf8');
    for (const name of META_CONFIG_VARIABLES) expect(live).toContain(`| \`${name}\``);
  });

  it('values segments per unit of spend by default, per impression when asked, and names a bad value', () => {
    expect(loadConfig({}, '/srv').engine.segmentValue).toBe('per_spend');
    expect(loadConfig({ TARGETING_SEGMENT_VALUE: 'per_impression' }, '/srv').engine.segmentValue).toBe('per_impression');
    expect(() => loadConfig({ TARGETING_SEGMENT_VALUE: 'per_click' }, '/srv')).toThrow(/TARGETING_SEGMENT_VALUE="per_click": must be one of per_spend, per_impression/);
    expect(loadConfig({}, '/srv').engine.demographicChoice).toBe('expected_value');
    expect(loadConfig({ TARGETING_DEMOGRAPHIC_CHOICE: 'Specification' }, '/srv').engine.demographicChoice).toBe('specification');
    expect(() => loadConfig({ TARGETING_DEMOGRAPHIC_CHOICE: 'composite' }, '/srv')).toThrow(/TARGETING_DEMOGRAPHIC_CHOICE="composite": must be one of expected_value, specification/);
    expect(loadConfig({}, '/srv').engine.firstRunChangeLimit).toBe(true);
    expect(loadConfig({ TARGETING_FIRST_RUN_CHANGE_LIMIT: 'false' }, '/srv').engine.firstRunChangeLimit).toBe(false);
  });

  it('reads the size exponent of the bayes set choice: 0.75 by default, 0 to 1', () => {
    expect(loadConfig({}, '/srv').engine.sizeExponent).toBe(0.75);
    expect(loadConfig({ TARGETING_SIZE_EXPONENT: '0' }, '/srv').engine.sizeExponent).toBe(0);
    expect(loadConfig({ TARGETING_SIZE_EXPONENT: '1' }, '/srv').engine.sizeExponent).toBe(1);
    for (const bad of ['-0.1', '1.5', 'half']) expect(() => loadConfig({ TARGETING_SIZE_EXPONENT: bad }, '/srv')).toThrow(/TARGETING_SIZE_EXPONENT/);
  });

  it('reads the size exponent where no segment row is a blend: 1 by default, 0 to 1', () => {
    expect(loadConfig({}, '/srv').engine.ownRowsSizeExponent).toBe(1);
    expect(loadConfig({ TARGETING_OWN_ROWS_SIZE_EXPONENT: '0.75' }, '/srv').engine.ownRowsSizeExponent).toBe(0.75);
    for (const bad of ['-1', '2', 'all']) expect(() => loadConfig({ TARGETING_OWN_ROWS_SIZE_EXPONENT: bad }, '/srv')).toThrow(/TARGETING_OWN_ROWS_SIZE_EXPONENT/);
  });

  it('reads how a candidate without a known audience size weighs: as the typical size by default', () => {
    expect(loadConfig({}, '/srv').engine.unknownSizes).toBe('typical');
    expect(loadConfig({ TARGETING_UNKNOWN_SIZES: 'unweighed' }, '/srv').engine.unknownSizes).toBe('unweighed');
    expect(() => loadConfig({ TARGETING_UNKNOWN_SIZES: 'median' }, '/srv')).toThrow(/TARGETING_UNKNOWN_SIZES="median": must be one of typical, unweighed/);
  });
});

describe('scheduler and schema configuration', () => {
  it('accepts any whole number of hours from 1 to 168 and rejects others, naming the variable', () => {
    for (const h of ['1', '5', '24', '36', '48', '168']) expect(loadConfig({ META_TARGETING_INTERVAL_HOURS: h }, '/srv').intervalHours).toBe(Number(h));
    for (const h of ['0', '169', '1.5', 'daily']) {
      expect(() => loadConfig({ META_TARGETING_INTERVAL_HOURS: h }, '/srv')).toThrow(/META_TARGETING_INTERVAL_HOURS/);
    }
  });

  it('reads the first run as a UTC time of day (default 03:00) or a UTC date-time', () => {
    expect(new Date(loadConfig({}, '/srv').scheduleAnchorMs).toISOString()).toBe('1970-01-01T03:00:00.000Z');
    expect(new Date(loadConfig({ META_TARGETING_FIRST_RUN_UTC: '7:45' }, '/srv').scheduleAnchorMs).toISOString()).toBe('1970-01-01T07:45:00.000Z');
    expect(new Date(loadConfig({ META_TARGETING_FIRST_RUN_UTC: '2026-12-07T06:00Z' }, '/srv').scheduleAnchorMs).toISOString()).toBe('2026-12-07T06:00:00.000Z');
    for (const bad of ['24:00', '3', '03:60', '2026-02-30T03:00Z', '2026-12-07T06:00+01:00', 'dawn']) {
      expect(() => loadConfig({ META_TARGETING_FIRST_RUN_UTC: bad }, '/srv')).toThrow(/META_TARGETING_FIRST_RUN_UTC/);
    }
  });

  it('reads DATABASE_SCHEMA as a plain identifier', () => {
    expect(loadConfig({}, '/srv').databaseSchema).toBeNull();
    expect(loadConfig({ DATABASE_SCHEMA: 'tenant_a' }, '/srv').databaseSchema).toBe('tenant_a');
    for (const bad of ['Tenant', '1abc', 'a;drop', 'x'.repeat(57)]) expect(() => loadConfig({ DATABASE_SCHEMA: bad }, '/srv')).toThrow(/DATABASE_SCHEMA/);
  });
});

describe('.env', () => {
  it('adds the variables of .env, and the environment wins over the file', () => {
    const env = mergeDotEnv({ PORT: '9000', LOG_LEVEL: undefined }, 'PORT=7000\nLOG_LEVEL=debug\n# a comment\nTARGETING_WINDOW_DAYS="45"\n');
    const config = loadConfig(env, '/srv');
    expect(config.api.port).toBe(9000);
    expect(config.logLevel).toBe('debug');
    expect(config.windowDays).toBe(45);
  });

  it('reads .env from the working directory when it exists, and nothing when it does not', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'dotenv-'));
    expect(environmentWithDotEnv({ A: '1' }, dir)).toEqual({ A: '1' });
    writeFileSync(path.join(dir, '.env'), 'META_TARGETING_INTERVAL_HOURS=6\nDATA_DIR=state\nHOST=0.0.0.0\n');
    const config = loadConfig(environmentWithDotEnv({ HOST: '10.0.0.1' }, dir), dir);
    expect(config.intervalHours).toBe(6);
    expect(config.dataDir).toBe(path.join(dir, 'state'));
    expect(config.api.host).toBe('10.0.0.1');
  });

  it('a bad value in .env is reported like one in the environment, naming the variable', () => {
    expect(() => loadConfig(mergeDotEnv({}, 'TARGETING_WINDOW_DAYS=many\n'), '/srv')).toThrow(/TARGETING_WINDOW_DAYS="many": not a number/);
  });
});

describe('.env.example', () => {
  const text = readFileSync(new URL('../.env.example', import.meta.url), 'utf8');
  const entries = [...text.matchAll(/^# ([A-Z][A-Z0-9_]*)=(.*)$/gm)].map((m) => ({ name: m[1]!, value: m[2]!, at: m.index }));

  it('lists every variable loadConfig reads, each once and with a line saying what it does', () => {
    const read = new Set<string>();
    const spy = new Proxy({}, { get: (_t, name) => (typeof name === 'string' && read.add(name), undefined) });
    loadConfig(spy, '/srv');
    expect(read.size).toBeGreaterThan(35);
    const listed = entries.map((e) => e.name);
    expect(new Set(listed).size).toBe(listed.length);
    expect([...read].sort()).toEqual([...listed].sort());
    expect([...CONFIG_VARIABLES, ...META_CONFIG_VARIABLES].sort()).toEqual([...listed].sort());
    for (const e of entries) {
      const before = text.slice(0, e.at).trimEnd().split('\n').pop()!;
      expect(before, `${e.name} needs a comment line above it`).toMatch(/^# (?![A-Z][A-Z0-9_]*=)\S/);
    }
  });

  it('states the defaults: uncommented as it is, it configures exactly what an empty environment does', () => {
    const asFile = entries.map((e) => `${e.name}=${e.value}`).join('\n');
    expect(loadConfig(mergeDotEnv({}, asFile), '/srv')).toEqual(loadConfig({}, '/srv'));
  });
});

describe('Meta configuration', () => {
  const token = 'EAAsecretTOKENvalue0123456789';
  it('defaults to v26.0 on graph.facebook.com, the pixel purchase, 30 days, stub mode', () => {
    const meta = loadConfig({}, '/srv').meta;
    expect(meta).toMatchObject({ accessToken: null, adAccountId: null, apiVersion: 'v26.0', graphUrl: 'https://graph.facebook.com', purchaseActionType: 'offsite_conversion.fb_pixel_purchase', insightsDays: 30, targetingMode: 'stub' });
  });

  it('refuses LIVE mode without credentials, naming the variables, before anything is called', () => {
    expect(() => loadConfig({ META_TARGETING_MODE: 'live' }, '/srv')).toThrow(/META_ACCESS_TOKEN: required in LIVE mode[\s\S]*META_AD_ACCOUNT_ID: required/);
    expect(loadConfig({ META_TARGETING_MODE: 'live', META_ACCESS_TOKEN: token, META_AD_ACCOUNT_ID: 'act_123' }, '/srv').meta.targetingMode).toBe('live');
  });

  it('rejects malformed values, and never repeats the token in the message', () => {
    const bad = `${token} with spaces`;
    let message = '';
    try {
      loadConfig({ META_ACCESS_TOKEN: bad, META_AD_ACCOUNT_ID: '123', META_API_VERSION: '26', META_GRAPH_URL: 'ftp://x', META_TARGETING_MODE: 'maybe', META_INSIGHTS_DAYS: '0' }, '/srv');
    } catch (e) {
      message = (e as Error).message;
    }
    for (const name of ['META_ACCESS_TOKEN', 'META_AD_ACCOUNT_ID', 'META_API_VERSION', 'META_GRAPH_URL', 'META_TARGETING_MODE', 'META_INSIGHTS_DAYS']) expect(message).toContain(name);
    expect(message).not.toContain(token);
  });
});
