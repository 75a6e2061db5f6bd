import { existsSync, type FSWatcher, watch } from 'node:fs';
import { basename, dirname, relative, resolve, sep } from 'node:path';
import { loadCodegenConfig } from './codegen-config.js';

/**
 * What {@link watchCodegen} needs: the configuration to follow and one generator run.
 *
 * @example
 * ```ts
 * const options: WatchCodegenOptions = { configPath: 'sqlc.yaml', run: async () => 0, out, err };
 * ```
 */
export interface WatchCodegenOptions {
  readonly configPath: string;
  /** One full run; its result is the exit code reported when watching ends. */
  readonly run: () => Promise<number>;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Ends watching (as do SIGINT and SIGTERM). */
  readonly signal?: AbortSignal;
}

/**
 * Runs the generator now and again after every change or delete under the queries or schema
 * directory, or of the configuration itself, until `signal` aborts or the process gets SIGINT or
 * SIGTERM. Returns the exit code of the last run.
 *
 * 1. A run that throws (an error that is not a `CodegenError`, such as a query file deleted between
 *    listing and reading it) is reported on `err` and counts as exit code 1; watching goes on.
 * 2. A configuration that does not load (at start or later) is reported by the run; the
 *    configuration file stays watched, and the directories it names are watched once it loads.
 * 3. Runs never overlap, and a burst of events (an editor saving in several steps) causes one run.
 * 4. A watched directory that is deleted is dropped, and watched again once it is recreated.
 *
 * @example
 * ```ts
 * const controller = new AbortController();
 * const code = await watchCodegen({ configPath: 'sqlc.yaml', run, out, err, signal: controller.signal });
 * ```
 */
export async function watchCodegen(options: WatchCodegenOptions): Promise<number> {
  const { out, err } = options;
  const configPath = resolve(options.configPath);
  const rootDir = dirname(configPath);
  const configName = basename(configPath);
  const dirs = new Map<string, FSWatcher>();
  // Top-level names under rootDir whose creation or removal matters: the config and the watched dirs.
  const topNames = new Set<string>([configName]);
  let last = 1;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();

  const runOnce = async (): Promise<void> => {
    // Watch first, then read: a change made while the run reads is seen by a watcher already in place.
    syncWatchers();
    try {
      last = await options.run();
    } catch (e) {
      last = 1;
      err(`codegen: unexpected error (still watching): ${e instanceof Error ? e.message : String(e)}\n`);
    }
  };
  const schedule = (): void => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      running = running.then(runOnce);
    }, 50);
  };
  const drop = (dir: string): void => {
    dirs.get(dir)?.close();
    dirs.delete(dir);
  };
  const syncWatchers = (): void => {
    if (stopped) return;
    let wanted: string[];
    try {
      const config = loadCodegenConfig(configPath);
      wanted = [config.queriesDir, config.schemaDir];
    } catch {
      // The run has reported why; keep what is watched until the configuration loads again.
      return;
    }
    topNames.clear();
    topNames.add(configName);
    for (const dir of wanted) {
      const rel = relative(rootDir, dir);
      const top = rel.split(sep)[0];
      if (top !== undefined && top !== '' && top !== '..') topNames.add(top);
    }
    for (const dir of [...dirs.keys()]) if (!wanted.includes(dir) || !existsSync(dir)) drop(dir);
    for (const dir of wanted) {
      if (dirs.has(dir) || !existsSync(dir)) continue;
      try {
        const w = watch(dir, schedule);
        // A watched directory that disappears ends its watcher with an error; it is watched again later.
        w.on('error', () => {
          drop(dir);
          schedule();
        });
        dirs.set(dir, w);
      } catch {
        // Gone between the check and the watch; the next event looks again.
      }
    }
  };

  let root: FSWatcher;
  try {
    root = watch(rootDir, (_event, name) => {
      if (name !== null && topNames.has(String(name))) schedule();
    });
  } catch (e) {
    err(`codegen: cannot watch ${rootDir}: ${(e as Error).message}\n`);
    return 1;
  }
  root.on('error', (e) => {
    err(`codegen: stopped watching ${rootDir}: ${e.message}\n`);
  });
  await runOnce();
  out('codegen: watching for changes\n');
  await new Promise<void>((done) => {
    if (options.signal?.aborted) done();
    options.signal?.addEventListener('abort', () => done(), { once: true });
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  stopped = true;
  clearTimeout(timer);
  root.close();
  for (const dir of [...dirs.keys()]) drop(dir);
  // A run already under way finishes its writes before the exit code is final.
  await running;
  return last;
}
