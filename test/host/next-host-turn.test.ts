import { describe, expect, it } from 'vitest';
import { nextHostTurn } from '../../src/host/processes.js';

describe('nextHostTurn', () => {
  it('should release one waiter per event-loop turn, in call order', async () => {
    const order: string[] = [];
    const ops = [0, 1, 2].map((i) => nextHostTurn().then(() => order.push(`op${i}`)));
    // Queued after the first release: it runs in the same turn as op0, and op1 must wait for the next
    // turn. Released all at once, the three would run before it.
    setImmediate(() => order.push('other work'));

    await Promise.all(ops);

    expect(order).toEqual(['op0', 'other work', 'op1', 'op2']);
  });

  it('should start a new chain after the queue ran dry', async () => {
    await nextHostTurn();
    const later = await Promise.race([
      nextHostTurn().then(() => 'released'),
      new Promise((resolve) => setTimeout(() => resolve('stuck'), 1_000)),
    ]);
    expect(later).toBe('released');
  });
});
