#!/usr/bin/env -S node --single-threaded-gc --no-memory-reducer
// The msb executable (package.json "bin"): wires the process's streams to runCli and exits with its code.
// The V8 flags: while msb starts N runtimes on a small machine, each runtime a scheduling group of its
// own, msb gets a sliver of the CPU, and any burst of its own work stretches N-fold. V8's memory reducer
// chose exactly then (msb waiting, so "idle") to run full mark-compacts of its small heap (the main
// thread in "(garbage collector)" for 1.8 s in one 200-boot storm), and parallel GC waits for helper
// threads the busy machine does not schedule. With both off, the host's longest stall in that storm was
// 105-236 ms against 260-1168 ms with them on, throughput within noise (3 alternating pairs,
// bench/boot-storm/README.md, "The host's stalls"). The price: no heap given back after a burst, and
// minor GCs on one thread. `env -S` needs GNU coreutils 8.30+ or a BSD env; elsewhere run
// `node --single-threaded-gc --no-memory-reducer dist/cli/main.js`.
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
