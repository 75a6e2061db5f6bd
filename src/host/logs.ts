import { closeSync, fstatSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DbReadConnection } from '../db/index.js';
import { selectActiveRun, selectSandboxById } from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import { type SandboxLog, sandboxLogPath } from '../sandbox/paths.js';
import { isRuntimeAlive } from './processes.js';
import { loadSandboxRecord } from './reconcile.js';
import { isActiveStatus, isStartAbandoned } from './records.js';

/**
 * What {@link readSandboxLog} reads.
 *
 * @example
 * ```ts
 * const options: SandboxLogOptions = { home, name: 'web', log: 'stderr', tail: 20, follow: true };
 * ```
 */
export interface SandboxLogOptions {
  readonly home: string;
  readonly name: string;
  /** Default `stdout`. */
  readonly log?: SandboxLog;
  /** Only the last `tail` lines of what is there now (a non-negative whole number). */
  readonly tail?: number;
  /** Then what is appended, until the sandbox stops running or `signal` aborts. */
  readonly follow?: boolean;
  readonly signal?: AbortSignal;
  /** How often a followed log is checked for more (default 200 ms). */
  readonly pollMs?: number;
}

const CHUNK = 64 * 1024;

/**
 * Reads a sandbox's log as raw chunks: the whole file, or its last `tail` lines; with `follow`, then what
 * the workload (or runtime) appends, until the sandbox is no longer running (stopped, or its runtime
 * gone) or `signal` aborts. A log that is not there yet is empty; one that is replaced or truncated (the
 * sandbox was re-created) is read again from its start. A missing sandbox is `HostError`
 * `SANDBOX_NOT_FOUND`; a bad `tail` `INVALID_ARGUMENT`.
 *
 * @example
 * ```ts
 * for await (const chunk of readSandboxLog(pools.read, { home, name: 'web', tail: 10 })) {
 *   process.stdout.write(chunk);
 * }
 * ```
 */
export async function* readSandboxLog(
  read: DbReadConnection,
  options: SandboxLogOptions,
): AsyncGenerator<Buffer, void, undefined> {
  const { tail } = options;
  if (tail !== undefined && !(Number.isSafeInteger(tail) && tail >= 0)) {
    throw new HostError('INVALID_ARGUMENT', `tail must be a whole number of lines >= 0, got ${tail}`);
  }
  const record = loadSandboxRecord(read, options.name);
  if (record === undefined) {
    throw new HostError('SANDBOX_NOT_FOUND', `sandbox "${options.name}" does not exist`);
  }
  const path = sandboxLogPath(options.home, record.name, options.log ?? 'stdout');
  const pollMs = options.pollMs ?? 200;
  let file: ReturnType<typeof open>;
  let offset = 0;
  try {
    file = open(path);
    if (file !== undefined && tail !== undefined) offset = tailOffset(file.fd, file.size, tail);
    for (;;) {
      if (file !== undefined) {
        for (let chunk = readAt(file.fd, offset); chunk !== undefined; chunk = readAt(file.fd, offset)) {
          offset += chunk.length;
          yield chunk;
        }
      }
      if (options.follow !== true || options.signal?.aborted === true) return;
      // Decided before the last look at the file, so nothing written before the end is missed.
      const live = isLive(read, record.id);
      await sleep(pollMs, undefined, { ref: true });
      const now = statSync(path, { throwIfNoEntry: false });
      if (file === undefined || now === undefined || now.ino !== file.ino || now.size < offset) {
        // Created, replaced or truncated since: read the new file from its start.
        if (file !== undefined) closeSync(file.fd);
        file = undefined;
        file = open(path);
        offset = 0;
      }
      if (!live) {
        if (file !== undefined) {
          for (let chunk = readAt(file.fd, offset); chunk !== undefined; chunk = readAt(file.fd, offset)) {
            offset += chunk.length;
            yield chunk;
          }
        }
        return;
      }
    }
  } finally {
    if (file !== undefined) closeSync(file.fd);
  }
}

function isLive(read: DbReadConnection, sandboxId: number): boolean {
  const sandbox = selectSandboxById(read, { id: sandboxId });
  if (sandbox === undefined || !isActiveStatus(sandbox.status)) return false;
  const run = selectActiveRun(read, { sandboxId });
  // No run yet: its runtime is still starting, until its start deadline.
  return run === undefined ? !isStartAbandoned(sandbox) : isRuntimeAlive(run.pid);
}

function open(path: string): { fd: number; ino: number; size: number } | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const stat = fstatSync(fd);
  return { fd, ino: stat.ino, size: stat.size };
}

function readAt(fd: number, offset: number): Buffer | undefined {
  const buffer = Buffer.allocUnsafe(CHUNK);
  const n = readSync(fd, buffer, 0, CHUNK, offset);
  return n === 0 ? undefined : buffer.subarray(0, n);
}

/** The offset where the last `lines` lines of the first `size` bytes begin (a final newline ends a line). */
function tailOffset(fd: number, size: number, lines: number): number {
  if (lines === 0) return size;
  const buffer = Buffer.allocUnsafe(CHUNK);
  let found = 0;
  let end = size;
  let skipFinal = true;
  while (end > 0) {
    const start = Math.max(0, end - CHUNK);
    const n = readSync(fd, buffer, 0, end - start, start);
    for (let i = n - 1; i >= 0; i--) {
      if (buffer[i] !== 0x0a) {
        skipFinal = false;
        continue;
      }
      if (skipFinal) {
        skipFinal = false;
        continue;
      }
      if (++found === lines) return start + i + 1;
    }
    end = start;
  }
  return 0;
}
