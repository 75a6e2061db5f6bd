import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const FIXTURES = fileURLToPath(new URL('../fixtures/db/', import.meta.url));
const DIST_INDEX = fileURLToPath(new URL('../../dist/db/index.js', import.meta.url));

/**
 * A child process running one of `test/fixtures/db/*.mjs`, read line by line.
 *
 * @example
 * ```ts
 * const child = spawnFixture('hold-write-lock.mjs', [path, '300']);
 * await child.line('locked');
 * ```
 */
export interface FixtureProcess {
  readonly child: ChildProcessWithoutNullStreams;
  /** Every stdout line so far. */
  readonly lines: readonly string[];
  /** Resolves with the first stdout line (past or future) that equals `text`, or rejects on exit. */
  line(text: string, timeoutMs?: number): Promise<string>;
  /** Writes one line to the child's stdin. */
  send(line: string): void;
  /** Resolves when the child exits, with its code, signal, stdout lines and stderr. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

/**
 * Starts `node test/fixtures/db/<name> ...args`; the child is killed (SIGKILL) when the test finishes
 * if it is still running. Fixtures that import `dist/` need `npm run build` first.
 *
 * @example
 * ```ts
 * const child = spawnFixture('open-writer.mjs', [path, schemaDir, '10000']);
 * ```
 */
export function spawnFixture(name: string, args: readonly string[]): FixtureProcess {
  if (!existsSync(DIST_INDEX)) {
    throw new Error(`${DIST_INDEX} is missing: run \`npm run build\` before the process tests`);
  }
  const child = spawn(process.execPath, [`${FIXTURES}${name}`, ...args], { stdio: 'pipe' });
  const lines: string[] = [];
  const waiters: { text: string; resolve: (line: string) => void }[] = [];
  let stderr = '';
  let buffered = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.text === line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>(
    (resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stderr })),
  );
  onTestFinished(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  return {
    child,
    lines,
    exited,
    line(text, timeoutMs = 15_000) {
      if (lines.includes(text)) return Promise.resolve(text);
      return new Promise<string>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${name}: no line ${JSON.stringify(text)} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          text,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
        void exited.then(({ code, signal }) => {
          clearTimeout(timer);
          reject(
            new Error(
              `${name} exited (${code ?? signal}) before printing ${JSON.stringify(text)}; stderr: ${stderr}`,
            ),
          );
        });
      });
    },
    send(line) {
      child.stdin.write(`${line}\n`);
    },
  };
}
