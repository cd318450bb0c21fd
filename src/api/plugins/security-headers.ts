// Security headers on every answer; the documentation UI sets its own CSP (DOCS_CSP in app.ts).
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

const securityHeaders: FastifyPluginAsync = async (app) => {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (!req.url.startsWith('/docs')) {
      reply.header('cache-control', 'no-store');
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
    return payload;
  });
};

export default fp(securityHeaders, { name: 'security-headers' });
