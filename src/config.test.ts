import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, ConfigError, loadConfig } from './config.ts';

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

  it('reads the exploration shares: 0.1 of the slots and none of the budget by default, 0 to 0.5, anything else named as a problem', () => {
    expect(loadConfig({}, '/srv').engine.explorationShare).toBe(0.1);
    expect(loadConfig({ TARGETING_EXPLORATION_SHARE: '0' }, '/srv').engine.explorationShare).toBe(0);
    expect(loadConfig({ TARGETING_EXPLORATION_SHARE: '0.1' }, '/srv').engine.explorationShare).toBe(0.1);
    expect(loadConfig({ TARGETING_EXPLORATION_SHARE: '0.5' }, '/srv').engine.explorationShare).toBe(0.5);
    for (const bad of ['0.51', '-0.1', 'some']) expect(() => loadConfig({ TARGETING_EXPLORATION_SHARE: bad }, '/srv')).toThrow(/TARGETING_EXPLORATION_SHARE/);
    expect(loadConfig({}, '/srv').engine.budgetExplorationShare).toBe(0);
    expect(loadConfig({ TARGETING_BUDGET_EXPLORATION_SHARE: '0.1' }, '/srv').engine.budgetExplorationShare).toBe(0.1);
    for (const bad of ['0.6', '-1', 'ten']) expect(() => loadConfig({ TARGETING_BUDGET_EXPLORATION_SHARE: bad }, '/srv')).toThrow(/TARGETING_BUDGET_EXPLORATION_SHARE/);
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

  it('documents every variable in the README or docs/, and lists every variable it reads', () => {
    const docs = new URL('../docs/', import.meta.url);
    const readme = [readFileSync(new URL('../README.md', import.meta.url), 'utf8'), ...(existsSync(docs) ? readdirSync(docs).filter((f) => f.endsWith('.md')).map((f) => readFileSync(new URL(f, docs), 'utf8')) : [])].join('\n');
    for (const name of CONFIG_VARIABLES) expect(readme).toContain(`| \`${name}\``);
    const source = readFileSync(new URL('./config.ts', import.meta.url), 'utf8');
    const read = [...source.matchAll(/r\.(?:number|string|boolean)\('([A-Z_]+)'/g)].map((m) => m[1]!);
    expect(read.length).toBeGreaterThan(30);
    for (const name of read) expect(CONFIG_VARIABLES).toContain(name);
  });

  it('reads the size exponent of the bayes set choice: 0.75 by default, 0 to 1', () => {
    expect(loadConfig({}, '/srv').engine.sizeExponent).toBe(0.75);
    expect(loadConfig({ TARGETING_SIZE_EXPONENT: '0' }, '/srv').engine.sizeExponent).toBe(0);
    expect(loadConfig({ TARGETING_SIZE_EXPONENT: '1' }, '/srv').engine.sizeExponent).toBe(1);
    for (const bad of ['-0.1', '1.5', 'half']) expect(() => loadConfig({ TARGETING_SIZE_EXPONENT: bad }, '/srv')).toThrow(/TARGETING_SIZE_EXPONENT/);
  });
});

describe('scheduler and schema configuration', () => {
  it('accepts the intervals that divide a day and rejects others, naming the variable', () => {
    for (const h of ['1', '2', '3', '4', '6', '8', '12', '24']) expect(loadConfig({ META_TARGETING_INTERVAL_HOURS: h }, '/srv').intervalHours).toBe(Number(h));
    for (const h of ['5', '48', '0', '1.5', 'daily']) {
      expect(() => loadConfig({ META_TARGETING_INTERVAL_HOURS: h }, '/srv')).toThrow(/META_TARGETING_INTERVAL_HOURS/);
    }
  });

  it('reads DATABASE_SCHEMA as a plain identifier', () => {
    expect(loadConfig({}, '/srv').databaseSchema).toBeNull();
    expect(loadConfig({ DATABASE_SCHEMA: 'tenant_a' }, '/srv').databaseSchema).toBe('tenant_a');
    for (const bad of ['Tenant', '1abc', 'a;drop', 'x'.repeat(57)]) expect(() => loadConfig({ DATABASE_SCHEMA: bad }, '/srv')).toThrow(/DATABASE_SCHEMA/);
  });
});
