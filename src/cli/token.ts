import { parseArgs } from 'node:util';
import { isReservedActor, parseTtlSeconds, resolveAuthKeys, signToken } from '../services/tokens.ts';
import { API_ROLES, type ApiRole } from '../config.ts';
import type { AppContext } from '../context.ts';
import { type CliIo, UsageError } from './io.ts';

export const usage = `token --role ${API_ROLES.join('|')} --sub NAME [--ttl 8h]`;

/**
 * Prints a signed API token and nothing else on stdout (so that `TOKEN=$(... token ...)` works).
 * It signs with JWT_SECRET or, in the embedded default, the secret generated in DATA_DIR. With an
 * RS256 public key or a JWKS URL, tokens come from the identity provider that holds the private key.
 */
export async function tokenCommand(ctx: AppContext, args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({ args, options: { role: { type: 'string' }, sub: { type: 'string' }, ttl: { type: 'string', default: '8h' } }, strict: true, allowPositionals: false });
  if (values.role === undefined || !(API_ROLES as readonly string[]).includes(values.role)) throw new UsageError(`--role: must be one of ${API_ROLES.join(', ')}${values.role === undefined ? '' : `, got ${JSON.stringify(values.role)}`}`);
  if (values.sub === undefined || values.sub.trim() === '' || values.sub.length > 256) throw new UsageError('--sub: a subject (user or service name) of 1 to 256 characters is required');
  if (isReservedActor(values.sub.trim())) throw new UsageError('--sub: "scheduler" and names starting with "cli:" are reserved for the scheduler and the CLI in the audit trail');
  let ttlSeconds: number;
  try {
    ttlSeconds = parseTtlSeconds(values.ttl);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const keys = await resolveAuthKeys(ctx.config.api, ctx.config.dataDir);
  if (keys.signingSecret === null) throw new UsageError('tokens are verified with an RS256 public key (JWT_PUBLIC_KEY or JWT_JWKS_URL): get them from the identity provider that holds the private key, or set JWT_SECRET instead');
  const jwt = await signToken(keys.signingSecret, { sub: values.sub.trim(), role: values.role as ApiRole, ttlSeconds, issuer: ctx.config.api.jwtIssuer, audience: ctx.config.api.jwtAudience }, ctx.clock.now());
  io.stdout.write(`${jwt}\n`);
}
