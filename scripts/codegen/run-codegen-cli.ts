import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { AnalysisCache, bundledGeneratorId } from './analysis-cache.js';
import { type CodegenConfig, loadCodegenConfig } from './codegen-config.js';
import { CodegenError } from './codegen-error.js';
import { type Diagnostic, formatDiagnostic } from './diagnostic.js';
import { generate } from './generate.js';
import { generateParallel } from './generate-parallel.js';
import { GENERATED_MARKER, planOutput } from './output-plan.js';
import type { SchemaTexts } from './schema-texts.js';
import { unifiedDiff } from './unified-diff.js';
import { watchCodegen } from './watch-codegen.js';

/**
 * Options of one CLI run.
 *
 * @example
 * ```ts
 * const options: CodegenCliOptions = { configPath: 'sqlc.yaml', check: true, watch: false };
 * ```
 */
export interface CodegenCliOptions {
  readonly configPath: string;
  readonly check: boolean;
  readonly watch: boolean;
  /** Render in this thread instead of a worker (for measurements; same output). */
  readonly serial?: boolean;
  /** Where messages go; defaults to the process streams. */
  readonly out?: (text: string) => void;
  readonly err?: (text: string) => void;
  /** Ends `--watch` mode. */
  readonly signal?: AbortSignal;
}

/**
 * Runs the generator the way the CLI does and returns the exit code.
 *
 * 1. Default: writes only the files whose contents changed and deletes orphaned generated files.
 * 2. `check`: writes nothing; prints a unified diff per changed file and names missing and orphaned
 *    files; 1 on any drift.
 * 3. Invalid queries or configuration, or a hand-written file where a module goes: every diagnostic on
 *    stderr, 1, nothing written or deleted.
 * 4. Warnings (a scan in a `:read` query, a `:one` query not limited to one row) go to stderr first, with a count; alone they fail nothing.
 * 5. `watch`: runs, then reruns on every change or delete until `signal` aborts (see
 *    {@link watchCodegen}); an unexpected error or a broken configuration is reported, not fatal.
 *
 * @example
 * ```ts
 * process.exitCode = await runCodegenCli({ configPath: 'sqlc.yaml', check: true, watch: false });
 * ```
 */
export async function runCodegenCli(options: CodegenCliOptions): Promise<number> {
  const out = options.out ?? ((t: string) => process.stdout.write(t));
  const err = options.err ?? ((t: string) => process.stderr.write(t));
  // One-shot runs render in a worker that loads TypeScript meanwhile; watch mode keeps everything loaded
  // in this thread, so its reruns are the fast ones.
  const once = async (): Promise<number> => {
    let config: CodegenConfig;
    let files: Map<string, string>;
    const warnings: Diagnostic[] = [];
    try {
      config = loadCodegenConfig(options.configPath);
      const loaded = config;
      // Query files analysed by an earlier run of the same generator on the same schema and
      // configuration are not analysed again (see AnalysisCache).
      const cache = (schemaTexts: SchemaTexts) =>
        AnalysisCache.open(loaded, schemaTexts, bundledGeneratorId());
      files =
        options.watch || options.serial === true
          ? generate(config, warnings, cache)
          : await generateParallel(config, warnings, cache);
    } catch (e) {
      reportWarnings(warnings, err);
      if (e instanceof CodegenError) {
        err(`${e.message}\n`);
        err(`codegen: ${e.diagnostics.length} problem(s); nothing written\n`);
        return 1;
      }
      throw e;
    }
    reportWarnings(warnings, err);
    return options.check ? check(config, files, out, err) : write(config, files, out, err);
  };
  if (!options.watch) return once();
  return watchCodegen({
    configPath: options.configPath,
    run: once,
    out,
    err,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
}

function reportWarnings(warnings: readonly Diagnostic[], err: (t: string) => void): void {
  if (warnings.length === 0) return;
  err(`${warnings.map(formatDiagnostic).join('\n')}\n`);
  err(`codegen: ${warnings.length} warning(s)\n`);
}

function shown(config: CodegenConfig, path: string): string {
  return relative(config.rootDir, path).split('\\').join('/');
}

function write(
  config: CodegenConfig,
  files: ReadonlyMap<string, string>,
  out: (t: string) => void,
  err: (t: string) => void,
): number {
  const plan = planOutput(config.outDir, files);
  if (plan.foreign.length > 0) {
    // A hand-written file where a module goes: overwriting it would lose its code.
    for (const path of plan.foreign) {
      err(
        `${shown(config, path)}:1:1: this file was not written by the generator (no "${GENERATED_MARKER}" marker), and the generated module of the same name would replace it; rename the query file or move this file\n`,
      );
    }
    err(`codegen: ${plan.foreign.length} problem(s); nothing written\n`);
    return 1;
  }
  for (const path of [...plan.missing, ...plan.changed]) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, files.get(path) ?? '');
  }
  let deleted = 0;
  for (const path of plan.orphaned) {
    // Only files the generator wrote are removed; a hand-written file in the output dir is left alone.
    if (readFileSync(path, 'utf8').includes(GENERATED_MARKER)) {
      rmSync(path);
      deleted++;
    }
  }
  const written = plan.missing.length + plan.changed.length;
  out(`codegen: ${files.size} file(s), ${written} written, ${deleted} deleted\n`);
  return 0;
}

function check(
  config: CodegenConfig,
  files: ReadonlyMap<string, string>,
  out: (t: string) => void,
  err: (t: string) => void,
): number {
  const plan = planOutput(config.outDir, files);
  for (const path of plan.changed) {
    const name = shown(config, path);
    err(
      unifiedDiff(
        `a/${name} (committed)`,
        `b/${name} (generated)`,
        readFileSync(path, 'utf8'),
        files.get(path) ?? '',
      ),
    );
  }
  for (const path of plan.missing) err(`missing: ${shown(config, path)} (generated but not on disk)\n`);
  for (const path of plan.orphaned)
    err(`orphaned: ${shown(config, path)} (on disk but no longer generated)\n`);
  const drift = plan.changed.length + plan.missing.length + plan.orphaned.length;
  if (drift > 0) {
    err(`codegen:check: ${drift} file(s) out of date; run npm run codegen\n`);
    return 1;
  }
  out(`codegen:check: ${files.size} file(s) up to date\n`);
  return 0;
}
