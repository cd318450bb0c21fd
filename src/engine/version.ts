/**
 * The version of the decision engine, stored with every run's decision inputs (decision_inputs.
 * strategy_version). Bump it whenever a change to src/engine changes the recommendation that comes
 * out of the same snapshot, budget and settings — a new rule, a different rounding, another
 * tie-break — so that `explain --replay` can tell "the engine changed since" (versions differ)
 * from "the same engine now decides differently" (a determinism defect). Refactors that keep
 * every decision identical do not bump it.
 *
 * 2: the bayes strategy fits its shrinkage strengths by empirical Bayes and takes its confidence
 * from a 90 % credible interval (seed-strategy decisions are byte-identical to version 1's).
 */
// 3: the bayes strategy judges fatigue by a change-point fit of daily CTR and rests fatigued
// segments for TARGETING_FATIGUE_REST_DAYS (seed-strategy decisions unchanged).
// 4: the set choice's size exponent is a setting (TARGETING_SIZE_EXPONENT, default 0.75; settings
// stored without it decide with version 3's 0.25) and the segments.score trace entry states it, so
// a version-3 run without exploration replays to the same choices with a different trace. A segment that delivered
// before its recent days and not within them re-enters only through exploration once its earlier
// pace promised 50 recent impressions (version 3: once it had 1,000 earlier impressions).
// 5: the bayes strategy's expected ROAS is moved to the ad set's recent level
// (src/engine/roas-level.ts), so its expected_roas and trace differ; the CTR/CVR prior strengths
// are searched on a coarser grid with a shorter golden section (fitted strengths move by under 1 %,
// which can reorder near-tied segments).
// 6: the bayes geo split (src/engine/geo-value.ts) is chosen by a check on the window's later days
// among a value-response model, constant ROAS and the specification's split, inside a trust region
// (TARGETING_TRUST_MULTIPLE); country days carry their value. Settings stored without
// trustMultiple (versions 5 and earlier) still split as version 5 did, so those runs replay.
export const ENGINE_VERSION = 6;
