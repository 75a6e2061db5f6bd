import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { DEFAULT_BUSY_TIMEOUT_MS } from './db-open-options.js';
import type { DbReadConnection } from './db-read-connection.js';
import type { ReadPoolReply, ReadPoolRequest } from './read-pool-messages.js';

/**
 * Options of {@link DbReadPool}.
 *
 * @example
 * ```ts
 * const options: DbReadPoolOptions = { size: 5, moduleUrl: new URL('../generated/index.js', import.meta.url).href };
 * ```
 */
export interface DbReadPoolOptions {
  /** Worker threads, each with its own read-only connection (`max_connections`). */
  readonly size: number;
  /** The compiled module whose exported read functions the workers may run. */
  readonly moduleUrl: string;
  readonly busyTimeoutMs?: number;
}

interface Pending {
  readonly request: ReadPoolRequest;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: unknown) => void;
}

interface Slot {
  readonly worker: Worker;
  /** Set once the worker has opened its connection and imported the module. */
  ready: boolean;
  task: Pending | undefined;
}

/**
 * Read functions run on worker threads, each with its own read-only connection, so a long read does not
 * stall the event loop of a busy host.
 *
 * 1. Workers start on the first `run`, not at open: short-lived CLI processes never pay for them.
 * 2. `run(fn, params)` accepts only a function exported by the pool's module (checked by identity in this
 *    thread); the worker runs the same export on its own connection and the result is structured-cloned.
 * 3. Requests are served in FIFO order by the first idle worker.
 * 4. A `SqliteError` thrown in a worker rejects here as a `SqliteError` with the same code; other
 *    errors keep their name and message.
 *
 * @example
 * ```ts
 * const rows = await pools.readPool.run(listMetricsOfSandbox, { sandboxId: 1, limit: 1000 });
 * ```
 */
export class DbReadPool {
  readonly #path: string;
  readonly #options: DbReadPoolOptions;
  readonly #queue: Pending[] = [];
  #slots: Slot[] | undefined;
  #module: Promise<Record<string, unknown>> | undefined;
  #nextId = 0;
  #closed = false;
  #broken: unknown;

  constructor(path: string, options: DbReadPoolOptions) {
    if (!Number.isInteger(options.size) || options.size < 1) {
      throw new RangeError(`read pool size must be a whole number >= 1, got ${String(options.size)}`);
    }
    this.#path = path;
    this.#options = options;
  }

  /** How many worker threads the pool runs once started. */
  get size(): number {
    return this.#options.size;
  }

  /** Whether the workers have been started. */
  get started(): boolean {
    return this.#slots !== undefined;
  }

  /**
   * Runs an exported read function of the pool's module on a worker's connection.
   *
   * @example
   * ```ts
   * const sandboxes = await pool.run(selectSandboxes);
   * const record = await pool.run(selectSandboxByName, { name: 'web' });
   * ```
   */
  run<R>(fn: (conn: DbReadConnection) => R): Promise<R>;
  run<P, R>(fn: (conn: DbReadConnection, params: P) => R, params: P): Promise<R>;
  async run(fn: (conn: DbReadConnection, params?: unknown) => unknown, ...rest: unknown[]): Promise<unknown> {
    if (this.#closed) throw new TypeError('read pool is closed');
    if (this.#broken !== undefined) throw this.#broken;
    this.#module ??= import(this.#options.moduleUrl) as Promise<Record<string, unknown>>;
    const module = await this.#module;
    if (fn.name === '' || module[fn.name] !== fn) {
      throw new TypeError(
        `${fn.name || 'anonymous function'} is not an export of ${this.#options.moduleUrl}`,
      );
    }
    const request: ReadPoolRequest = {
      id: this.#nextId++,
      name: fn.name,
      hasParams: rest.length > 0,
      params: rest[0],
    };
    const slots = this.#start();
    return new Promise((resolve, reject) => {
      this.#queue.push({ request, resolve, reject });
      this.#dispatch(slots);
    });
  }

  /**
   * Stops the workers; queued requests are rejected.
   *
   * @example
   * ```ts
   * await pool.close();
   * ```
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#queue.splice(0)) pending.reject(new TypeError('read pool closed'));
    const slots = this.#slots ?? [];
    this.#slots = undefined;
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #start(): Slot[] {
    if (this.#slots !== undefined) return this.#slots;
    const slots: Slot[] = [];
    for (let i = 0; i < this.#options.size; i++) slots.push(this.#spawn(slots));
    this.#slots = slots;
    return slots;
  }

  #spawn(slots: Slot[]): Slot {
    const worker = new Worker(workerUrl(), {
      workerData: {
        path: this.#path,
        busyTimeoutMs: this.#options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
        moduleUrl: this.#options.moduleUrl,
      },
    });
    const slot: Slot = { worker, ready: false, task: undefined };
    worker.on('message', (reply: ReadPoolReply) => {
      if (reply.id === -1) {
        slot.ready = true;
        this.#dispatch(slots);
        return;
      }
      const task = slot.task;
      slot.task = undefined;
      if (task !== undefined) {
        if (reply.ok) task.resolve(reply.value);
        else task.reject(reviveError(reply.error));
      }
      this.#dispatch(slots);
    });
    const fail = (err: unknown): void => {
      if (this.#closed || slots.indexOf(slot) === -1) return;
      const wasServing = slot.ready;
      slot.ready = false;
      slot.task?.reject(err);
      slot.task = undefined;
      if (wasServing) {
        // One worker died mid-service (out of memory, a crash): replace it and go on.
        slots[slots.indexOf(slot)] = this.#spawn(slots);
        return;
      }
      // A worker that cannot even start (bad module, missing file) will not start next time either.
      this.#broken = err;
      for (const pending of this.#queue.splice(0)) pending.reject(err);
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`read pool worker exited with code ${code}`)));
    // Idle workers must not keep the process alive.
    worker.unref();
    return slot;
  }

  #dispatch(slots: Slot[]): void {
    for (const slot of slots) {
      if (this.#queue.length === 0) return;
      if (slot.task !== undefined || !slot.ready) continue;
      const task = this.#queue.shift()!;
      slot.task = task;
      slot.worker.ref();
      slot.worker.postMessage(task.request);
    }
    // A worker holds the process open while it serves a task, or while it is still starting and tasks
    // wait for it: a caller awaiting only the pool must not see its process exit under it.
    const waiting = this.#queue.length > 0;
    for (const slot of slots) {
      if (slot.task !== undefined || (waiting && !slot.ready)) slot.worker.ref();
      else slot.worker.unref();
    }
  }
}

function reviveError(error: Extract<ReadPoolReply, { ok: false }>['error']): Error {
  const revived =
    error.name === 'SqliteError' && error.code !== undefined
      ? new Database.SqliteError(error.message, error.code)
      : Object.assign(new Error(error.message), { name: error.name, code: error.code });
  if (error.stack !== undefined)
    revived.stack = `${revived.stack}\n    --- in read pool worker ---\n${error.stack}`;
  return revived;
}

function workerUrl(): URL {
  // From the TypeScript source (tests, tsx) the worker needs a loader: a small boot file registers one.
  return import.meta.url.endsWith('.ts')
    ? new URL('./read-pool-worker-boot.mjs', import.meta.url)
    : new URL('./read-pool-worker.js', import.meta.url);
}
