// Security headers on every answer; the documentation UI sets its own CSP (DOCS_CSP in app.ts), and
// the dashboard's files (routes marked web) get DASHBOARD_CSP and keep their own caching headers.
import type { FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';

// Only the dashboard's own scripts, styles and API: no inline script or style element, no eval,
// nothing from another origin. Charts are drawn on canvas (Chart.js), which needs none of them.
export const DASHBOARD_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const securityHeaders: FastifyPluginAsync = async (app) => {
  app.addHook('onSend', async (req, reply, payload) => {
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    if (req.routeOptions.config.web === true) {
      reply.header('content-security-policy', DASHBOARD_CSP);
      reply.header('x-frame-options', 'DENY');
    } else if (!req.url.startsWith('/docs')) {
      reply.header('cache-control', 'no-store');
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
    return payload;
  });
};

export default fp(securityHeaders, { name: 'security-headers' });
