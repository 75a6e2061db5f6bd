/**
 * The token server of the lock-handoff benchmark's `fifo` modes (`bench/lock-handoff.ts`), bundled to
 * `dist/bench/lock-handoff-server.js`: `node dist/bench/lock-handoff-server.js <socket path>`.
 *
 * One token, granted in the order asked, over a unix socket of one-byte messages: a client sends `a` to
 * ask, gets `g` when the token is its, and sends `r` to give it back; a client that disconnects gives
 * it back too. Waiting clients sleep in the kernel until their `g` arrives, where SQLite's busy handler
 * wakes each waiter again and again to poll the lock. Prints `ready` once listening; exits on SIGTERM.
 *
 * @example
 * ```sh
 * node dist/bench/lock-handoff-server.js /tmp/handoff.sock &
 * ```
 */
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';

const path = process.argv[2];
if (path === undefined) {
  process.stderr.write('lock-handoff-server: <socket path> is required\n');
  process.exit(2);
}
rmSync(path, { force: true });

const queue: Socket[] = [];
let holder: Socket | undefined;
const grantNext = (): void => {
  while (holder === undefined && queue.length > 0) {
    const next = queue.shift()!;
    if (next.destroyed) continue;
    holder = next;
    next.write('g');
  }
};
const server = createServer((socket) => {
  socket.setNoDelay(true);
  socket.on('data', (chunk) => {
    for (const byte of chunk.toString('latin1')) {
      if (byte === 'a') queue.push(socket);
      else if (byte === 'r' && holder === socket) holder = undefined;
    }
    grantNext();
  });
  socket.on('close', () => {
    if (holder === socket) holder = undefined;
    const at = queue.indexOf(socket);
    if (at !== -1) queue.splice(at, 1);
    grantNext();
  });
  socket.on('error', () => socket.destroy());
});
server.listen(path, () => process.stdout.write('ready\n'));
process.on('SIGTERM', () => {
  server.close();
  rmSync(path, { force: true });
  process.exit(0);
});
