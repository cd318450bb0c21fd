// The dashboard's built files (web/dist, written by `npm run build:web`), read once when the app is
// built and kept in memory with their gzip and brotli forms: a dozen files, so every request is a
// map lookup (no file system path ever comes from a URL) and no request compresses anything.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export const DEFAULT_WEB_DIR = fileURLToPath(new URL('../../web/dist/', import.meta.url));

export interface WebAsset {
  /** The URL path: / for index.html, /assets/<hashed name> for the rest. */
  urlPath: string;
  contentType: string;
  body: Buffer;
  gzip: Buffer | null;
  brotli: Buffer | null;
  etag: string;
  /** Vite names assets by their content's hash, so they never change under the same name. */
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest']);

/** The built dashboard, or null when web/dist has no index.html (not built). */
export function loadWebAssets(dir: string = DEFAULT_WEB_DIR): WebAsset[] | null {
  if (!existsSync(path.join(dir, 'index.html'))) return null;
  return listFiles(dir).flatMap((file) => {
    const ext = path.extname(file);
    const type = TYPES[ext];
    if (type === undefined) return [];
    const rel = path.relative(dir, file).split(path.sep).join('/');
    const body = readFileSync(file);
    const compress = COMPRESSIBLE.has(ext) && body.length > 512;
    return [{
      urlPath: rel === 'index.html' ? '/' : `/${rel}`,
      contentType: type,
      body,
      gzip: compress ? gzipSync(body, { level: 9 }) : null,
      brotli: compress ? brotliCompressSync(body, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }) : null,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
      immutable: rel.startsWith('assets/'),
    }];
  });
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}
