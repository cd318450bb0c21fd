// The one error shape, {error: {code, message, requestId}}, for every failure a handler or Fastify
// raises; a 5xx is logged with its stack, and no stack or driver message ever reaches the client.
import type { FastifyError, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ConflictError, InputError, NotFoundError, UnavailableError } from '../../services/errors.ts';
import { MetaUpstreamError } from '../../services/meta.ts';
import { GuardrailBlockedError } from '../../services/apply-guardrails.ts';
import { ApiError, codeForStatus, type ErrorCode, errorBody, ERROR_STATUS, validationMessage } from '../errors.ts';

const errorShape: FastifyPluginAsync = async (app) => {
  app.setErrorHandler((error: FastifyError, req, reply) => {
    const [code, message, rule] = describeError(error);
    if (ERROR_STATUS[code] >= 500 && code !== 'not_implemented' && code !== 'service_unavailable') {
      req.log.error({ reqId: req.id, err: { message: error.message, stack: error.stack } }, 'request failed');
    }
    if (code === 'unauthorized') reply.header('www-authenticate', 'Bearer');
    return reply.status(ERROR_STATUS[code]).send(errorBody(code, message, req.id, rule ?? null));
  });
};

export default fp(errorShape, { name: 'error-shape' });

function describeError(error: FastifyError): [ErrorCode, string, (string | null)?] {
  if (error instanceof ApiError) return [error.code, error.message, error.rule];
  // A guardrail's refusal: 409 when it depends on the state (it may pass later), 422 when on the recommendation itself.
  if (error instanceof GuardrailBlockedError) return [error.kind === 'state' ? 'conflict' : 'unprocessable', error.message, error.rule];
  if (error.validation) return ['bad_request', validationMessage(error.validationContext ?? 'request', error.validation as never)];
  if (error instanceof InputError) return ['bad_request', error.message];
  if (error instanceof NotFoundError) return ['not_found', error.message];
  if (error instanceof ConflictError) return ['conflict', error.message];
  if (error instanceof UnavailableError) return ['not_implemented', error.message];
  if (error instanceof MetaUpstreamError) return ['service_unavailable', error.message];
  const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (broken JSON, body too large, media type): their messages are
    // about the request, not the server. Bounded, since some quote the request.
    return [codeForStatus(status), error.message.slice(0, 300)];
  }
  return ['internal_error', 'internal error; the request id identifies it in the server log'];
}
