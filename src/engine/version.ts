/**
 * The version of the decision engine, stored with every run's decision inputs (decision_inputs.
 * strategy_version). Bump it whenever a change to src/engine changes the recommendation that comes
 * out of the same snapshot, budget and settings — a new rule, a different rounding, another
 * tie-break — so that `explain --replay` can tell "the engine changed since" (versions differ)
 * from "the same engine now decides differently" (a determinism defect). Refactors that keep
 * every decision identical do not bump it. What each version changed: CHANGELOG.md.
 */
export const ENGINE_VERSION = 27;
