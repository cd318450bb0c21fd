// Meta's learning phase (families.ts EditsAxis 'reset-learning'). A new ad set, or one whose
// targeting was edited, is delivered while Meta learns who converts: until it has had about 50
// conversions since the edit, it finds its buyers less well. The penalty fades as they arrive.

/** Conversions since a significant edit after which the ad set has left its learning phase. */
export const LEARNING_EVENTS = 50;
/** How much less an ad set converts right after a significant edit. */
export const LEARNING_PENALTY = 0.2;

/** The share of its settled conversion rate an ad set converts at, `events` conversions after its last significant edit. */
export function learningEfficiency(events: number): number {
  return 1 - LEARNING_PENALTY * Math.max(0, 1 - events / LEARNING_EVENTS);
}

/** Whether going from one day's interests to the next is a significant edit: one added or removed. */
export function isSignificantEdit(before: readonly string[] | null, after: readonly string[]): boolean {
  if (before === null) return after.length > 0;
  if (before.length !== after.length) return true;
  const kept = new Set(before);
  return after.some((id) => !kept.has(id));
}
