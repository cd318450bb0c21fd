// The dashboard's upload: a canonical CSV or an Ads Manager export (CSV or XLSX) as the raw
// request body, imported by the same service as the CLI's `import`, within API_IMPORT_LIMIT_BYTES.
import type { FastifyError, FastifyReply } from 'fastify';
import { ImportRejectedError } from '../../services/errors.ts';
import { importUploadedFile } from '../../services/upload-import.ts';
import { ApiError, errorBody } from '../errors.ts';
import { errorResponses } from '../schemas/common.ts';
import { ImportQuery, ImportRejectedResponse, ImportReportResponse } from '../schemas/imports.ts';
import { type ApiInstance, BEARER, requestContext, type RouteDeps } from '../types.ts';

export const UPLOAD_TYPES = ['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/octet-stream'];

export function importRoutes(app: ApiInstance, { ctx, writeRateLimit }: RouteDeps): void {
  const limit = ctx.config.api.importLimitBytes;
  // In its own scope: these body types are accepted by this route only.
  void app.register(async (scope: ApiInstance) => {
    scope.addContentTypeParser(UPLOAD_TYPES, { parseAs: 'buffer', bodyLimit: limit }, (_req, body, done) => done(null, body));
    scope.post(
      '/meta/targeting/imports',
      {
        bodyLimit: limit,
        schema: {
          tags: ['targeting'],
          summary: 'Import a canonical CSV or an Ads Manager export (CSV or XLSX)',
          description: `The file is the request body (Content-Type text/csv, application/vnd.openxmlformats-officedocument.spreadsheetml.sheet or application/octet-stream), at most API_IMPORT_LIMIT_BYTES (413 above). One transaction: a file with a bad row imports nothing (400 listing every bad line with its field and problem) unless skip_invalid. Audited.`,
          security: BEARER,
          querystring: ImportQuery,
          response: { ...errorResponses(409, 413, 415), 200: ImportReportResponse, 400: ImportRejectedResponse },
        },
        config: { access: 'write', rateLimit: writeRateLimit },
        errorHandler: (error: FastifyError, req, typedReply) => {
          const reply = typedReply as FastifyReply;
          if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
            return reply.status(413).send(errorBody('payload_too_large', `the file is larger than ${limit.toLocaleString('en')} bytes (API_IMPORT_LIMIT_BYTES); split it, or import it with the CLI's import command`, req.id));
          }
          if (error instanceof ImportRejectedError) {
            return reply.status(400).send({ ...errorBody('bad_request', error.message.replace('(use --skip-invalid to import the valid rows)', '(set skip_invalid to import the valid rows)'), req.id), problems: [...error.problems], header_problems: [...error.headerProblems] });
          }
          throw error;
        },
      },
      async (req) => {
        if (!Buffer.isBuffer(req.body)) throw new ApiError('unsupported_media_type', `send the file as the body with Content-Type ${UPLOAD_TYPES.join(', ')}`);
        const q = req.query;
        return importUploadedFile(requestContext(ctx, req), {
          fileName: q.file_name ?? 'upload',
          content: req.body,
          skipInvalid: q.skip_invalid ?? false,
          ...(q.format !== undefined ? { format: q.format } : {}),
          ...(q.currency !== undefined ? { currency: q.currency } : {}),
          ...(q.date !== undefined ? { date: q.date } : {}),
        });
      },
    );
  });
}
