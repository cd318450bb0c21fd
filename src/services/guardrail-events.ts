// The guardrails' ledger, read: which changes passed (and what they moved) and which a rule refused.
import type { AppContext } from '../context.ts';
import { type GuardrailEventRow, listGuardrailEvents } from '../store/guardrails.ts';

export type { GuardrailEventRow } from '../store/guardrails.ts';

export async function guardrailEvents(ctx: AppContext, filter: { campaignId: string | null; outcome: 'passed' | 'blocked' | 'withdrawn' | null; limit: number }): Promise<GuardrailEventRow[]> {
  return listGuardrailEvents(ctx.db, filter);
}
