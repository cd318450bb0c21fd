import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, formatOpenApiDocument } from '../../src/api/openapi.ts';
import { generateWebApiTypes, WEB_API_TYPES_FILE } from '../../src/api/web-api-types.ts';

describe('openapi.json', () => {
  it('is exactly the document the route schemas generate (run `npm run openapi` after changing a route)', async () => {
    const committed = readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8');
    expect(formatOpenApiDocument(await buildOpenApiDocument())).toBe(committed);
  });

  it('is what the dashboard\'s generated wire types were generated from (run `npm run openapi` after changing a route)', async () => {
    const committed = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as unknown;
    expect(await generateWebApiTypes(committed)).toBe(readFileSync(WEB_API_TYPES_FILE, 'utf8'));
  });

  it('documents every endpoint of the specification with its security and error shape', async () => {
    const doc = (await buildOpenApiDocument()) as { paths: Record<string, Record<string, { security?: unknown; responses: Record<string, unknown> }>> };
    const expected: [string, string][] = [
      ['post', '/meta/targeting/run'],
      ['get', '/meta/targeting/recommendations/{campaign_id}'],
      ['post', '/meta/targeting/apply/{recommendation_id}'],
      ['get', '/meta/targeting/segments'],
      ['get', '/meta/targeting/history'],
      ['post', '/meta/targeting/experiments'],
      ['get', '/meta/targeting/experiments/{experiment_id}'],
    ];
    for (const [method, path] of expected) {
      const op = doc.paths[path]?.[method];
      expect(op, `${method} ${path}`).toBeDefined();
      expect(op!.security).toEqual([{ bearerAuth: [] }]);
      expect(op!.responses['401']).toEqual(expect.objectContaining({ content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } }));
    }
    for (const path of ['/health', '/ready', '/metrics']) expect(doc.paths[path]?.get?.security).toBeUndefined();
  });
});
