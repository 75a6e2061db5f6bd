#!/usr/bin/env -S node --single-threaded-gc
// The msb executable (package.json "bin"): wires the process's streams to runCli and exits with its code.
// --single-threaded-gc: msb's heap is small, and it shares the machine with the runtimes it starts. V8's
// parallel GC makes the main thread wait for helper threads, which a machine busy starting runtimes may
// not schedule for hundreds of ms: in the 200-boot storm the typed host's longest stall was 243-1041 ms
// (median 502, 7 runs) with parallel GC and 255-440 ms (median 302, 5 runs) with this flag
// (bench/boot-storm/README.md, "The host's stalls").
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
