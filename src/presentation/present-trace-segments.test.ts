import { describe, expect, it } from 'vitest';
import type { TargetingEditEvent } from '../engine/trace-events.ts';
import { presentTargetingEdit } from './present-trace-segments.ts';

describe('presentTargetingEdit', () => {
  const kept: TargetingEditEvent = { kind: 'segments.edit', segmentType: 'interest', inForce: 12, chosen: 12, edited: false, reason: 'gain_below', minGain: 0.09375, baseGain: 0.03, conversionsPerDay: 8, chosenValue: 0.9, inForceValue: 0.85, gain: 0.9 / 0.85 - 1 };

  it("counts learning in the ad set's conversions a day where it is applied as one ad set", () => {
    const line = presentTargetingEdit(kept);
    expect(line.decision).toBe("kept the 12 interests in force: the best set would be worth only 5.9 % more, below the 9.4 % an edit must gain (an edit restarts Meta's learning phase; with 8 conversions a day learning lasts about 6 days, so the gain required grows from 3.0 %)");
    expect(line.numbers).not.toHaveProperty('country_ad_sets');
  });

  it('counts it in the country ad sets where the split is applied one ad set per country', () => {
    // 40 conversions a day in all, but four ad sets learning on their own: about 6 days, not 1.25.
    const line = presentTargetingEdit({ ...kept, conversionsPerDay: 40, minGain: 0.0906, countryAdSets: { adSets: 4, learningDays: 6.04 } });
    expect(line.decision).toBe("kept the 12 interests in force: the best set would be worth only 5.9 % more, below the 9.1 % an edit must gain (an edit restarts Meta's learning phase; applied as 4 ad sets by country, each learning on its own conversions, learning lasts about 6 days (weighted by budget), so the gain required grows from 3.0 %)");
    expect(line.numbers).toMatchObject({ country_ad_sets: 4, learning_days: 6.04, conversions_per_day: 40 });
  });
});
