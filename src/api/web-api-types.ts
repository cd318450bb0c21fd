// The dashboard's wire types, generated from the OpenAPI document by openapi-typescript (a dev
// dependency: only `npm run openapi` and the test that keeps the committed file fresh load this).
// The input is the document in memory, so generating needs no network and no file but the output.
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

export const WEB_API_TYPES_FILE = new URL('../../web/src/api.generated.ts', import.meta.url);

export async function generateWebApiTypes(doc: unknown): Promise<string> {
  // `silent`: the generator's progress lines are noise in `npm run openapi` and in tests.
  const ast = await openapiTS(doc as OpenAPI3, { silent: true });
  return `${COMMENT_HEADER}// From openapi.json by \`npm run openapi\`; test/api/openapi.test.ts fails when it is stale.\n\n${astToString(ast)}`;
}
