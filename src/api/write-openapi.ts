// `npm run openapi`: rewrites openapi.json at the repository root from the route schemas.
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument, formatOpenApiDocument } from './openapi.ts';

const target = new URL('../../openapi.json', import.meta.url);
writeFileSync(target, formatOpenApiDocument(await buildOpenApiDocument()));
process.stdout.write(`wrote ${target.pathname}\n`);
