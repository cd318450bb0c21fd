import { readFileSync } from 'node:fs';
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

  it('reads the exploration share: 0 (off) by default, 0 to 0.5, anything else named as a problem', () => {
    expect(loadConfig({}, '/srv').engine.explorationShare).toBe(0);
    expect(loadConfig({ TARGETING_EXPLORATION_SHARE: '0.1' }, '/srv').engine.explorationShare).toBe(0.1);
    expect(loadConfig({ TARGETING_EXPLORATION_SHARE: '0.5' }, '/srv').engine.explorationShare).toBe(0.5);
    for (const bad of ['0.51', '-0.1', 'some']) expect(() => loadConfig({ TARGETING_EXPLORATION_SHARE: bad }, '/srv')).toThrow(/TARGETING_EXPLORATION_SHARE/);
  });

  it('documents every variable in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const name of CONFIG_VARIABLES) expect(readme).toContain(`| \`${name}\``);
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
