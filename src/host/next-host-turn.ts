/**
 * Resolves on a later turn of the event loop, one waiter per turn, in call order.
 *
 * Host operations start with it (create, start, stop, kill): a caller that starts hundreds of them at
 * once would otherwise run all their synchronous first steps (reads, `/proc` checks, signals, a
 * transaction) in one go, and on a machine the runtimes saturate that one go takes seconds of wall
 * time in which no timer or I/O of the host is served. One operation per turn keeps each stretch short.
 *
 * @example
 * ```ts
 * await nextHostTurn();
 * // the operation's synchronous work
 * ```
 */
export function nextHostTurn(): Promise<void> {
  return new Promise((resolve) => {
    waiting.push(resolve);
    if (!scheduled) {
      scheduled = true;
      setImmediate(releaseOne);
    }
  });
}

const waiting: (() => void)[] = [];
let scheduled = false;

function releaseOne(): void {
  waiting.shift()?.();
  // An immediate queued while immediates run waits for the next turn: I/O and timers come between.
  if (waiting.length > 0) setImmediate(releaseOne);
  else scheduled = false;
}
