// An uploaded file imported through the same service as the CLI's `import`: written to a private
// temporary directory, imported (one transaction, all or nothing unless skip_invalid), removed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AppContext } from '../context.ts';
import { ImportRejectedError, InputError } from './errors.ts';
import { detectFormat, type ImportFormat, type ImportReport, importInsightsFile } from './import-insights.ts';

export type UploadFormat = Extract<ImportFormat, 'canonical' | 'ads-manager'>;

export interface UploadRequest {
  /** The client's file name, shown in the report and messages (never a server path). */
  fileName: string;
  content: Buffer;
  /** Omitted: detected from the file as the CLI does (canonical CSV or Ads Manager CSV/XLSX only). */
  format?: UploadFormat;
  skipInvalid: boolean;
  currency?: string;
  date?: string;
}

/** A client file name reduced to a safe base name (no directories, no control characters). */
export function safeFileName(name: string): string {
  const base = path.basename(name.replaceAll('\\', '/')).replace(/[^\w.\- ]+/g, '_').slice(0, 100);
  return base === '' || base === '.' || base === '..' ? 'upload' : base;
}

export async function importUploadedFile(ctx: AppContext, req: UploadRequest): Promise<ImportReport> {
  if (req.content.length === 0) throw new InputError('body', 'the file is empty');
  const name = safeFileName(req.fileName);
  const dir = await mkdtemp(path.join(tmpdir(), 'targeting-upload-'));
  const file = path.join(dir, name);
  const hide = (text: string) => text.replaceAll(file, name).replaceAll(dir, '.');
  try {
    await writeFile(file, req.content, { mode: 0o600 });
    const format = req.format ?? detectFormat(file);
    if (format !== 'canonical' && format !== 'ads-manager') {
      // The upload is for the account's own exports; the CLI's import reads the other formats.
      throw new InputError('format', `${name} looks like a ${format} file; the upload takes the canonical CSV or an Ads Manager export (CSV or XLSX)`);
    }
    const report = await importInsightsFile(ctx, file, {
      skipInvalid: req.skipInvalid,
      format,
      ...(req.currency !== undefined ? { currency: req.currency } : {}),
      ...(req.date !== undefined ? { date: req.date } : {}),
    });
    return { ...report, file: name };
  } catch (error) {
    if (error instanceof InputError) throw new InputError(error.field, hide(error.message.slice(error.field.length + 2)));
    if (error instanceof ImportRejectedError) throw new ImportRejectedError(error.headerProblems.map(hide), error.problems.map((p) => ({ ...p, message: hide(p.message), value: p.value })));
    throw error;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
