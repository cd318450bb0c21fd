// The dashboard's sign-in link: a one-time code (services/sign-in-codes.ts) exchanged for a token.
import { redeemSignInCode } from '../../services/sign-in-codes.ts';
import { type AuthKeys, signToken } from '../../services/tokens.ts';
import { ApiError } from '../errors.ts';
import { errorResponses } from '../schemas/common.ts';
import { SessionBody, SessionResponse } from '../schemas/session.ts';
import type { ApiInstance, RouteDeps } from '../types.ts';

/** How long a token from a sign-in link lasts: a working day. */
export const SESSION_TTL_SECONDS = 8 * 3600;

export function sessionRoutes(app: ApiInstance, { ctx }: RouteDeps, keys: AuthKeys): void {
  app.post(
    '/meta/targeting/session',
    {
      schema: {
        tags: ['targeting'],
        summary: 'Exchange a one-time sign-in code for a token',
        description: 'Public: the code (from the link `npm start` prints) is the credential. Each code works once and for 15 minutes; an unknown, used or expired code is a 401. 501 when tokens come from an identity provider (RS256).',
        body: SessionBody,
        response: { 200: SessionResponse, ...errorResponses(413, 415, 501) },
      },
      config: { access: 'public' },
    },
    async (req) => {
      if (keys.signingSecret === null) throw new ApiError('not_implemented', 'tokens come from the identity provider (JWT_PUBLIC_KEY or JWT_JWKS_URL): sign in with one of its tokens');
      const who = redeemSignInCode(ctx.clock, req.body.code);
      if (who === null) throw new ApiError('unauthorized', 'this sign-in code is unknown, used or expired: run `npm start` again for a new link, or paste a token');
      const now = ctx.clock.now();
      const token = await signToken(keys.signingSecret, { sub: who.sub, role: who.role, ttlSeconds: SESSION_TTL_SECONDS, issuer: ctx.config.api.jwtIssuer, audience: ctx.config.api.jwtAudience }, now);
      return { token, sub: who.sub, role: who.role, expires_at: new Date(now.getTime() + SESSION_TTL_SECONDS * 1000).toISOString() };
    },
  );
}
