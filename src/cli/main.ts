#!/usr/bin/env -S node --single-threaded-gc --no-memory-reducer
// The msb executable (package.json "bin"): wires the process's streams to runCli and exits with its code.
// The V8 flags: while msb starts N runtimes on a small machine, each runtime a scheduling group of its
// own, msb gets a sliver of the CPU, and any burst of its own work stretches N-fold. V8's memory reducer
// chose exactly then (msb waiting, so "idle") to run full mark-compacts of its small heap: in the
// 200-boot storm the host stalled 3.4 s where an idle process beside it saw 0.33 s, and 1.3 s against
// 0.78 s in another run (--cpu-prof: the main thread in "(garbage collector)" for 1.8 s). Without the
// reducer no mark-compact ran during the storm and the host's longest stall was at or under the idle
// process's (162-311 ms against 179-593, 3 runs). Single-threaded GC keeps the main thread from waiting
// on GC helper threads the busy machine does not schedule (255-440 ms against 243-1041 ms with parallel
// GC, memory reducer on). msb's heap is tens of MB: neither costs it anything that matters. See
// bench/boot-storm/README.md, "The host's stalls".
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
