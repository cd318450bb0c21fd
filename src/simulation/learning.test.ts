import { describe, expect, it } from 'vitest';
import { isSignificantEdit, LEARNING_EVENTS, LEARNING_PENALTY, learningEfficiency } from './learning.ts';

describe('the learning phase', () => {
  it('converts a fifth less right after an edit, less so with each conversion since, and fully from the 50th on', () => {
    expect(learningEfficiency(0)).toBeCloseTo(1 - LEARNING_PENALTY, 12);
    expect(learningEfficiency(LEARNING_EVENTS / 2)).toBeCloseTo(1 - LEARNING_PENALTY / 2, 12);
    expect(learningEfficiency(LEARNING_EVENTS)).toBe(1);
    expect(learningEfficiency(Number.POSITIVE_INFINITY)).toBe(1);
    expect(learningEfficiency(10)).toBeLessThan(learningEfficiency(20));
  });

  it('counts adding or removing an interest as an edit, not their order', () => {
    expect(isSignificantEdit(['a', 'b'], ['b', 'a'])).toBe(false);
    expect(isSignificantEdit(['a', 'b'], ['a', 'c'])).toBe(true);
    expect(isSignificantEdit(['a', 'b'], ['a'])).toBe(true);
    expect(isSignificantEdit(['a'], ['a', 'b'])).toBe(true);
    // The first targeting chosen replaces the history's.
    expect(isSignificantEdit(null, ['a'])).toBe(true);
    expect(isSignificantEdit(null, [])).toBe(false);
  });
});
