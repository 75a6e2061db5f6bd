#!/usr/bin/env node
// The msb executable (package.json "bin"): wires the process's streams to runCli and exits with its code.
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

const io: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  errIsTty: process.stderr.isTTY === true,
};
process.exitCode = await runCli(process.argv.slice(2), io);
