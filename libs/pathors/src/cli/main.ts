#!/usr/bin/env node
/**
 * Entry point of the `nestjs-pathors` command (`npx nestjs-pathors --help`): send, simulate, replay and verify
 * Pathors webhooks. See `runPathorsCli` for the commands and `CLI_EXIT` for the exit codes.
 */
import { runPathorsCli } from './pathors-cli.program.js';

process.exitCode = await runPathorsCli(process.argv);
