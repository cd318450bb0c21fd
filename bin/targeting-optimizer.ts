#!/usr/bin/env node
import { environmentWithDotEnv } from '../src/config.ts';
import { main } from '../src/cli/main.ts';

// `.env` in the working directory adds to the environment (the environment wins), as Node's process.loadEnvFile does.
process.exitCode = await main(process.argv.slice(2), { env: environmentWithDotEnv(process.env, process.cwd()) });
