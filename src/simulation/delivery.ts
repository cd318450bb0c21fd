// How Meta spreads an ad set's delivery among the people of the segments it targets together.
// By size is where the people are; Meta's delivery optimisation tilts the same union toward the
// segments whose people convert. The market's history (a union's rows) and the closed loop's days
// share the tilt, so a family's two halves deliver alike.

/** The tilt: 1 = a segment twice as valuable as the mean gets twice the delivery per person. */
export const OPTIMIZED_TILT = 1;

/**
 * Each segment's delivery per unit of size under delivery optimisation: (its value / the plain
 * mean of `values`)^OPTIMIZED_TILT; 1 where no value is known or every value is 0.
 */
export function optimizedTilt(values: ReadonlyMap<string, number>): (id: string) => number {
  let sum = 0;
  for (const v of values.values()) sum += v;
  const mean = values.size > 0 ? sum / values.size : 0;
  return (id) => {
    const v = values.get(id);
    return mean > 0 && v !== undefined ? (v / mean) ** OPTIMIZED_TILT : 1;
  };
}
