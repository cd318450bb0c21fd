#!/usr/bin/env node
// The composition root of the command line: the CLI and the HTTP API never import each other, so
// `serve` and `start` get the server from here.
import { onShutdown, startServer } from '../src/api/server.ts';
import { main } from '../src/cli/main.ts';
import { environmentWithDotEnv } from '../src/config.ts';

// `.env` in the working directory adds to the environment (the environment wins), as Node's process.loadEnvFile does.
process.exitCode = await main(process.argv.slice(2), { env: environmentWithDotEnv(process.env, process.cwd()), http: { start: (ctx) => startServer(ctx), onShutdown } });
