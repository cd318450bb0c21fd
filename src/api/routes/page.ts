import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * The next page's cursor travels in headers so that the body stays the specification's plain
 * array: X-Next-Cursor (the cursor itself) and an RFC 8288 Link with rel="next" (the same query
 * with the cursor replaced). Neither header on the last page.
 */
export function setNextPage(req: FastifyRequest, reply: FastifyReply, nextCursor: string | null): void {
  if (nextCursor === null) return;
  const url = new URL(req.url, 'http://placeholder');
  url.searchParams.set('cursor', nextCursor);
  reply.header('x-next-cursor', nextCursor);
  reply.header('link', `<${url.pathname}${url.search}>; rel="next"`);
}
