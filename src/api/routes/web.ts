// The dashboard at / and its hashed assets under /assets/, from memory (web-assets.ts). index.html
// is revalidated on every load (no-cache, ETag) so a new build is picked up at once; the hashed
// assets are cached for a year as immutable. The strict policy in DASHBOARD_CSP applies to them.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebAsset } from '../web-assets.ts';
import type { ApiInstance } from '../types.ts';

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Dashboard not built</title>
<p>The dashboard is not built. Run <code>npm run build:web</code> (npm ci does it), then reload. The API is at /meta/targeting and its documentation at <a href="/docs">/docs</a>.</p></html>`;

export function webRoutes(app: ApiInstance, assets: WebAsset[] | null): void {
  if (assets === null) {
    app.get('/', { schema: { hide: true }, config: { access: 'public', web: true } }, async (_req, reply) => reply.status(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT));
    return;
  }
  for (const asset of assets) {
    app.get(asset.urlPath, { schema: { hide: true }, config: { access: 'public', web: true } }, async (req, reply) => send(req, reply, asset));
  }
}

function send(req: FastifyRequest, reply: FastifyReply, asset: WebAsset): FastifyReply {
  reply.header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache');
  reply.header('etag', asset.etag);
  reply.header('vary', 'accept-encoding');
  reply.type(asset.contentType);
  if (req.headers['if-none-match'] === asset.etag) return reply.status(304).send();
  const accepted = String(req.headers['accept-encoding'] ?? '');
  if (asset.brotli !== null && /\bbr\b/.test(accepted)) return reply.header('content-encoding', 'br').send(asset.brotli);
  if (asset.gzip !== null && /\bgzip\b/.test(accepted)) return reply.header('content-encoding', 'gzip').send(asset.gzip);
  return reply.send(asset.body);
}
