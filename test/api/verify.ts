import { createTokenVerifier } from '../../src/api/auth.ts';
import { testKeys, type ApiHarness } from './helpers.ts';

/** Who a token is, as the API's verifier reads it (null when refused). */
export async function verifyWith(h: ApiHarness, jwt: string): Promise<{ sub: string; role: string } | null> {
  const result = await createTokenVerifier(testKeys(), h.ctx.config.api, h.ctx.clock).verify(`Bearer ${jwt}`);
  return result.ok ? { sub: result.principal.sub, role: result.principal.role } : null;
}
