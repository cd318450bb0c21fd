// For tests that check what a user reads: the engine's decisions beside their documents.
import { optimizeCampaign, type AdSetDecision, type OptimizeInput } from '../engine/optimizer.ts';
import { presentDecision } from './present-decision.ts';
import type { RecommendationDraftDocument } from './recommendation-document.ts';

export type DecisionWithDocument = AdSetDecision & { draft: RecommendationDraftDocument; budgetMinor: number };

/** optimizeCampaign, each decision with its document (`draft`) and its budget. */
export function decideDocuments(input: OptimizeInput): DecisionWithDocument[] {
  return optimizeCampaign(input).map((d) => ({ ...d, draft: presentDecision(d.decision), budgetMinor: d.decision.budgetMinor }));
}
