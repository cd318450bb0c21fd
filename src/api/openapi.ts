// The OpenAPI document, generated from the same TypeBox schemas that validate requests. The
// committed openapi.json is this document; test/api/openapi.test.ts fails when they differ, so the
// file cannot drift from the code (`npm run openapi` rewrites it).
import pino from 'pino';
import { loadConfig } from '../config.ts';
import type { AppContext } from '../context.ts';
import { buildApp } from './app.ts';

export async function buildOpenApiDocument(): Promise<unknown> {
  // Building the document touches neither the database nor a real key: both are placeholders.
  const ctx: AppContext = {
    config: loadConfig({ LOG_LEVEL: 'silent' }, '/nonexistent'),
    db: {
      kind: 'pglite',
      query: () => Promise.reject(new Error('no database while generating the OpenAPI document')),
      transaction: () => Promise.reject(new Error('no database while generating the OpenAPI document')),
      close: async () => {},
    },
    clock: { now: () => new Date(0) },
    newId: () => '00000000-0000-0000-0000-000000000000',
    logger: pino({ level: 'silent' }),
    actor: { id: 'openapi', role: null, channel: 'cli' },
    close: async () => {},
  };
  const app = await buildApp(ctx, { keys: { algorithm: 'HS256', key: new Uint8Array(32), signingSecret: null }, docsUi: false });
  try {
    await app.ready();
    return app.swagger();
  } finally {
    await app.close();
  }
}

export function formatOpenApiDocument(doc: unknown): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}
