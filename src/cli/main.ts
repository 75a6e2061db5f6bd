#!/usr/bin/env node
// The msb executable (package.json "bin"): wires the process's streams to runCli and exits with its code.
import { once } from 'node:events';
import type { CliIo } from './cli-io.js';
import { runCli } from './run-cli.js';

// A reader that went away (`msb logs web | head`) ends the output, not the command with a stack trace.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});
const io: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  errIsTty: process.stderr.isTTY === true,
  drained: () =>
    process.stdout.writableNeedDrain
      ? once(process.stdout, 'drain').then(() => undefined)
      : Promise.resolve(),
};
process.exitCode = await runCli(process.argv.slice(2), io);
