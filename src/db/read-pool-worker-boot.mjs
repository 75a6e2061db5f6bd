// The read pool's worker entry when the pool runs from its TypeScript source (vitest, tsx): worker
// threads do not inherit a TypeScript loader on Node 20, so register tsx (a dev dependency: only
// source runs get here), then load the worker itself. Compiled code starts read-pool-worker.js directly.
import { register } from 'tsx/esm/api';

register();
await import('./read-pool-worker.ts');
