// `npm run openapi`: rewrites openapi.json at the repository root from the route schemas, and the
// dashboard's wire types (web/src/api.generated.ts) from that document.
import { writeFileSync } from 'node:fs';
import { buildOpenApiDocument, formatOpenApiDocument } from './openapi.ts';
import { generateWebApiTypes, WEB_API_TYPES_FILE } from './web-api-types.ts';

const target = new URL('../../openapi.json', import.meta.url);
const doc = await buildOpenApiDocument();
writeFileSync(target, formatOpenApiDocument(doc));
process.stdout.write(`wrote ${target.pathname}\n`);
// Generated from the formatted JSON read back, exactly what the freshness test reads.
writeFileSync(WEB_API_TYPES_FILE, await generateWebApiTypes(JSON.parse(formatOpenApiDocument(doc))));
process.stdout.write(`wrote ${WEB_API_TYPES_FILE.pathname}\n`);
