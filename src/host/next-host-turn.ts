/**
 * Resolves on a later turn of the event loop, one waiter per turn, in call order.
 *
 * `stopSandbox` and `killSandbox` start with it: a caller that stops hundreds of sandboxes at once
 * would otherwise run all their synchronous first steps (record, reconcile, `/proc` checks, the
 * signal) in one go, while the runtimes signalled first wake up and take the cores; that go took 2 s
 * of wall time for 200 on 2 cores, with no timer or I/O of the host served. One operation per turn
 * keeps each stretch short. Creates are left to run together: their first steps are lighter and
 * pacing them delayed the spawns.
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
