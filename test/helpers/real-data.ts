// The public Facebook ads data sets live beside the checkout (../shared/data/real), not in it: their
// licence is unknown, so the project does not ship them. Tests that read them run where the folder
// exists (this team's machines and CI) and skip elsewhere, saying once what was skipped and why.
import { existsSync } from 'node:fs';
import path from 'node:path';

export const REAL_DATA_DIR = path.resolve(import.meta.dirname, '../../../shared/data/real');

export interface RealData {
  /** Absolute paths of the requested files, in order. */
  files: string[];
  /** False when any of them is absent: the suite is skipped. */
  available: boolean;
  /** The suite's name, with the reason appended when it is skipped. */
  title(name: string): string;
}

/** Locates data files under REAL_DATA_DIR; warns once on stderr when one is missing. */
export function realData(...relative: string[]): RealData {
  const files = relative.map((f) => path.join(REAL_DATA_DIR, f));
  const missing = files.filter((f) => !existsSync(f));
  const reason = missing.length === 0 ? '' : `skipped: ${missing.map((f) => path.relative(process.cwd(), f)).join(', ')} absent (public data not shipped with the project: licence unknown)`;
  if (reason !== '') console.warn(reason);
  return { files, available: missing.length === 0, title: (name) => (reason === '' ? name : `${name} — ${reason}`) };
}
