import { describe, expect, it } from 'vitest';
import { chartCountries } from './recommendation-charts.tsx';

describe('chartCountries', () => {
  it('ranks the countries by this run\'s amount, ties by code, and puts the ones only the previous run funded last', () => {
    const now = [
      { country_code: 'PT', budget_amount: 120 },
      { country_code: 'ES', budget_amount: 350 },
      { country_code: 'FR', budget_amount: 120 },
      { country_code: 'AR', budget_amount: 0 },
    ];
    expect(chartCountries(now, ['ES', 'MX', 'DE'])).toEqual(['ES', 'FR', 'PT', 'AR', 'DE', 'MX']);
  });
});
