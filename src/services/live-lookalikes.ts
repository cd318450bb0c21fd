// The lookalikes of a LIVE apply. Meta takes hours to populate a new lookalike, and an ad set that
// targets one before it is ready reaches almost no one: the apply targets them only when every one
// is ready, and otherwise goes ahead without them and says so (a later recommendation, applied once
// they are ready, targets them: an applied recommendation is never sent twice). A recommendation whose lookalikes cannot be made (no usable source
// audience on the account, a special ad category, Meta refusing) is applied without them, with why.
import type { AppContext } from '../context.ts';
import type { RecommendationDocument as Recommendation } from '../presentation/recommendation-document.ts';
import { ConflictError } from './errors.ts';
import { ensureLookalikes, type LookalikeOutcome } from './lookalikes.ts';
import { MetaAuthError, MetaUpstreamError } from './meta.ts';

export interface LookalikesInApply {
  /** The targeting sent (or, in a dry run, that would be sent) includes them: every one is ready. */
  included: boolean;
  message: string;
  audiences: Pick<LookalikeOutcome, 'name' | 'audience_id' | 'ratio' | 'countries' | 'action' | 'state'>[];
}

/**
 * Makes or reuses the recommendation's lookalikes (`confirm` false: only says what it would make)
 * and gives the audiences to target: all of them when all are ready, none otherwise.
 */
export async function lookalikesForLive(ctx: AppContext, rec: Recommendation, confirm: boolean): Promise<{ answer: LookalikesInApply | null; target: { id: string; name: string }[] }> {
  if (rec.lookalikes.length === 0) return { answer: null, target: [] };
  let result;
  try {
    result = await ensureLookalikes(ctx, { recommendationId: rec.recommendation_id, confirm });
  } catch (error) {
    // An expired token stops the apply as any other read would; the rest only leaves the lookalikes out.
    if (error instanceof MetaAuthError || !(error instanceof ConflictError || error instanceof MetaUpstreamError)) throw error;
    return { answer: { included: false, message: `Lookalikes left out: ${error.message}. The apply goes ahead without them`, audiences: [] }, target: [] };
  }
  const audiences = result.lookalikes.map(({ name, audience_id, ratio, countries, action, state }) => ({ name, audience_id, ratio, countries, action, state }));
  const ready = result.all_ready && result.lookalikes.every((l) => l.audience_id !== null);
  if (ready) {
    return { answer: { included: true, message: `${audiences.length} lookalike(s) ready and targeted`, audiences }, target: result.lookalikes.map((l) => ({ id: l.audience_id!, name: l.name })) };
  }
  const why = confirm ? result.message : `${result.message}; a confirmed apply creates them, and they take Meta 1 to 6 hours to populate`;
  return { answer: { included: false, message: `${why}. The apply goes ahead without them; a later recommendation applied once they are ready targets them (this one, applied, is not sent again)`, audiences }, target: [] };
}
