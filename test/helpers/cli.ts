// Runs the CLI in-process, as a user would from a shell, and captures what it prints.
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.ts';
import type { ContextOverrides } from '../../src/context.ts';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCli(argv: string[], overrides: ContextOverrides, env: Record<string, string> = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { env: { LOG_LEVEL: 'silent', ...env }, io: { stdout, stderr, progressTty: false }, overrides });
  return { code, stdout: out, stderr: err };
}
