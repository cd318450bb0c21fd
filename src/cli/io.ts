import type { Writable } from 'node:stream';

export interface CliIo {
  stdout: Writable;
  stderr: Writable;
  /** Progress lines are drawn only on a terminal, never into a pipe or a file. */
  progressTty: boolean;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, progressTty: Boolean(process.stderr.isTTY) };
}

export function printJson(io: CliIo, doc: unknown): void {
  io.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

export function printLines(io: CliIo, lines: readonly string[]): void {
  io.stdout.write(`${lines.join('\n')}\n`);
}

export function progress(io: CliIo, label: string): (done: number, total?: number) => void {
  if (!io.progressTty) return () => {};
  let last = 0;
  return (done, total) => {
    const now = performance.now();
    if (now - last < 100 && done !== total) return;
    last = now;
    io.stderr.write(`\r${label}: ${done.toLocaleString('en')}${total ? ` / ${total.toLocaleString('en')}` : ''} rows`);
    if (total !== undefined && done >= total) io.stderr.write('\n');
  };
}

/** Usage problems (unknown flag, missing argument): exit code 2 with a message, nothing changed. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseLimit(text: string | undefined, fallback = 50): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 500) throw new UsageError(`--limit: must be a whole number from 1 to 500, got ${JSON.stringify(text)}`);
  return Number(text);
}

/**
 * A seed as typed: a whole number while a double holds it exactly, else the text itself, so that
 * two seeds typed differently never name one market (and a 400-digit one is not Infinity).
 */
export function parseSeed(text: string): number | string {
  return /^\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
}

export function money(amount: number, currency: string): string {
  return new Intl.NumberFormat('en', { style: 'currency', currency }).format(amount);
}

export function pct(x: number | null, digits = 2): string {
  return x === null ? 'n/a' : `${(x * 100).toFixed(digits)} %`;
}
