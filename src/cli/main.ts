import { ConfigError, loadConfig } from '../config.ts';
import { type AppContext, type ContextOverrides, createContext } from '../context.ts';
import { DatabaseInUseError, noDatabase } from '../services/database.ts';
import { ConflictError, ImportRejectedError, InputError, NotFoundError, UnavailableError } from '../services/errors.ts';
import { applyCommand, usage as applyUsage } from './apply.ts';
import { experimentCommand, usage as experimentUsage } from './experiment.ts';
import { explainCommand, usage as explainUsage } from './explain.ts';
import { historyCommand, usage as historyUsage } from './history.ts';
import { importCommand, usage as importUsage } from './import.ts';
import { type CliIo, processIo, UsageError } from './io.ts';
import { recommendationCommand, usage as recommendationUsage } from './recommendation.ts';
import { rollbackCommand, usage as rollbackUsage } from './rollback.ts';
import { runCommand, usage as runUsage } from './run.ts';
import { segmentsCommand, usage as segmentsUsage } from './segments.ts';
import { type HttpOutlet, type Outlets, serveCommand, usage as serveUsage } from './serve.ts';
import { startCommand, usage as startUsage } from './start.ts';
import { stubGenerateCommand, usage as stubUsage } from './stub-generate.ts';
import { tokenCommand, usage as tokenUsage } from './token.ts';
import { workerCommand, usage as workerUsage } from './worker.ts';
import { backtestCommand, usage as backtestUsage } from './backtest.ts';
import { campaignSetCommand, campaignsCommand, listUsage as campaignsUsage, setUsage as campaignSetUsage } from './campaigns.ts';
import { discoverUsage as metaDiscoverUsage, metaDiscoverCommand, checkUsage as metaCheckUsage, fakeServerUsage as metaFakeServerUsage, metaCheckCommand, metaFakeServerCommand, metaSyncCommand, syncUsage as metaSyncUsage } from './meta.ts';
import { MetaUpstreamError } from '../services/meta.ts';
import { metaLookalikesCommand, usage as metaLookalikesUsage } from './lookalikes.ts';
import { guardrailsCommand, usage as guardrailsUsage } from './guardrails.ts';
import { approveUsage as proposalApproveUsage, createUsage as proposalCreateUsage, listUsage as proposalListUsage, proposalApproveCommand, proposalCreateCommand, proposalListCommand, proposalRejectCommand, rejectUsage as proposalRejectUsage } from './proposal.ts';
import { GuardrailBlockedError } from '../services/apply-guardrails.ts';

/** A command may return its own exit code (explain --replay: 3 when the replay differs); nothing means 0. */
type Command = (ctx: AppContext, args: string[], io: CliIo, outlets: Outlets) => Promise<void | number>;

// usesDatabase false: the command runs without opening the database, so it also works while a
// server holds the embedded one (token, backtest).
const COMMANDS: Record<string, { run: Command; usage: string; words: number; usesDatabase?: false }> = {
  'stub generate': { run: stubGenerateCommand, usage: stubUsage, words: 2 },
  import: { run: importCommand, usage: importUsage, words: 1 },
  campaigns: { run: campaignsCommand, usage: campaignsUsage, words: 1 },
  'campaign set': { run: campaignSetCommand, usage: campaignSetUsage, words: 2 },
  run: { run: runCommand, usage: runUsage, words: 1 },
  recommendation: { run: recommendationCommand, usage: recommendationUsage, words: 1 },
  segments: { run: segmentsCommand, usage: segmentsUsage, words: 1 },
  history: { run: historyCommand, usage: historyUsage, words: 1 },
  start: { run: startCommand, usage: startUsage, words: 1 },
  backtest: { run: backtestCommand, usage: backtestUsage, words: 1, usesDatabase: false },
  apply: { run: applyCommand, usage: applyUsage, words: 1 },
  guardrails: { run: guardrailsCommand, usage: guardrailsUsage, words: 1 },
  'proposal create': { run: proposalCreateCommand, usage: proposalCreateUsage, words: 2 },
  'proposal list': { run: proposalListCommand, usage: proposalListUsage, words: 2 },
  'proposal approve': { run: proposalApproveCommand, usage: proposalApproveUsage, words: 2 },
  'proposal reject': { run: proposalRejectCommand, usage: proposalRejectUsage, words: 2 },
  rollback: { run: rollbackCommand, usage: rollbackUsage, words: 1 },
  experiment: { run: experimentCommand, usage: experimentUsage, words: 1 },
  explain: { run: explainCommand, usage: explainUsage, words: 1 },
  serve: { run: serveCommand, usage: serveUsage, words: 1 },
  token: { run: tokenCommand, usage: tokenUsage, words: 1, usesDatabase: false },
  worker: { run: workerCommand, usage: workerUsage, words: 1 },
  'meta check': { run: metaCheckCommand, usage: metaCheckUsage, words: 2, usesDatabase: false },
  'meta sync': { run: metaSyncCommand, usage: metaSyncUsage, words: 2 },
  'meta discover': { run: metaDiscoverCommand, usage: metaDiscoverUsage, words: 2 },
  'meta lookalikes': { run: metaLookalikesCommand, usage: metaLookalikesUsage, words: 2 },
  'meta fake-server': { run: metaFakeServerCommand, usage: metaFakeServerUsage, words: 2, usesDatabase: false },
};

export function helpText(): string {
  return [
    'Usage: targeting-optimizer <command> [options]',
    '',
    ...Object.values(COMMANDS).map((c) => `  targeting-optimizer ${c.usage}`),
    '',
    'Configuration comes from environment variables and a .env file in the working directory (the environment wins; see docs/configuration.md and .env.example): DATA_DIR, DATABASE_URL, TARGETING_* ...',
  ].join('\n');
}

export interface MainOptions {
  env?: Record<string, string | undefined>;
  io?: CliIo;
  overrides?: ContextOverrides;
  /** The HTTP API for `serve` and `start`, composed outside the CLI (bin/targeting-optimizer.ts). */
  http?: HttpOutlet;
}

/** Runs one CLI invocation and returns its exit code: 0 done, 2 bad input or usage, 4 refused by a guardrail, 1 failure. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  const io = options.io ?? processIo();
  const fail = (code: number, message: string) => {
    io.stderr.write(`error: ${message}\n`);
    return code;
  };
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    io.stdout.write(`${helpText()}\n`);
    return argv.length === 0 ? 2 : 0;
  }
  const name = argv[0] === 'stub' || argv[0] === 'campaign' || argv[0] === 'meta' || argv[0] === 'proposal' ? `${argv[0]} ${argv[1] ?? ''}` : argv[0]!;
  const command = COMMANDS[name];
  if (!command) return fail(2, `unknown command ${JSON.stringify(name.trim())}\n\n${helpText()}`);
  const args = argv.slice(command.words);
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout.write(`targeting-optimizer ${command.usage}\n`);
    return 0;
  }

  let ctx: AppContext | null = null;
  try {
    const config = loadConfig(options.env ?? process.env);
    ctx = await createContext(config, command.usesDatabase === false ? { db: noDatabase(), ...options.overrides } : options.overrides);
    const code = await command.run(ctx, args, io, { http: options.http ?? null });
    return typeof code === 'number' ? code : 0;
  } catch (error) {
    if (error instanceof ConfigError || error instanceof DatabaseInUseError) return fail(2, error.message);
    // Its own exit code, so that a script can tell a refusal by a guardrail from bad input; the message names the rule.
    if (error instanceof GuardrailBlockedError) return fail(4, `${error.message} (recorded; nothing was applied)`);
    if (error instanceof UsageError) return fail(2, `${error.message}\nusage: targeting-optimizer ${command.usage}`);
    if (error instanceof InputError || error instanceof NotFoundError || error instanceof UnavailableError || error instanceof ConflictError) return fail(2, error.message);
    // Meta's own failure, already said in full (code, subcode, fbtrace_id); not a defect to log.
    if (error instanceof MetaUpstreamError) return fail(1, error.message);
    if (error instanceof ImportRejectedError) {
      const shown = error.problems.slice(0, 200).map((p) => `  line ${p.line}, ${p.field} ${JSON.stringify(p.value)}: ${p.message}`);
      const more = error.problems.length > shown.length ? [`  … and ${error.problems.length - shown.length} more`] : [];
      return fail(2, [error.message, ...shown, ...more].join('\n'));
    }
    // parseArgs reports unknown or malformed options with a code; they are usage errors too.
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      return fail(2, `${error.message}\nusage: targeting-optimizer ${command.usage}`);
    }
    const message = error instanceof Error ? error.message : String(error);
    ctx?.logger.error({ err: message }, 'command failed');
    return fail(1, message);
  } finally {
    await ctx?.close();
  }
}
