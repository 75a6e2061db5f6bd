// One thread of a DbReadPool: a read-only connection that runs exported read functions by name.
import { parentPort, workerData } from 'node:worker_threads';
import { DbReadConnection } from './db-read-connection.js';
import type { ReadPoolReply, ReadPoolRequest, ReadPoolWorkerData } from './read-pool-messages.js';

const data = workerData as ReadPoolWorkerData;
const port = parentPort;
if (port === null) throw new Error('read-pool-worker must run as a worker thread');

const conn = await DbReadConnection.open(data.path, {
  busyTimeoutMs: data.busyTimeoutMs,
  connectTimeoutMs: 0,
  // The pool's owner opened this file with its schema checked already.
  migrations: null,
});
const module = (await import(data.moduleUrl)) as Record<string, unknown>;

port.on('message', (request: ReadPoolRequest) => {
  let reply: ReadPoolReply;
  try {
    const fn = module[request.name];
    if (typeof fn !== 'function') throw new TypeError(`${data.moduleUrl} has no export ${request.name}`);
    const value: unknown = request.hasParams ? fn(conn, request.params) : fn(conn);
    reply = { id: request.id, ok: true, value };
  } catch (err) {
    const e = err as Error & { code?: unknown };
    reply = {
      id: request.id,
      ok: false,
      error: {
        name: e.name,
        message: e.message,
        code: typeof e.code === 'string' ? e.code : undefined,
        stack: e.stack,
      },
    };
  }
  port.postMessage(reply);
});
port.postMessage({ id: -1, ok: true, value: 'ready' } satisfies ReadPoolReply);
