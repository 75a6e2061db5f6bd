import type { DbReadConnection, DbWriteTransaction } from '../../db/index.js';
import { selectImageDefaults } from '../../generated/index.js';
import { HostError } from '../host-error.js';

/**
 * An image reference resolved to its manifest and the run defaults of its config.
 *
 * @example
 * ```ts
 * const image: ResolvedImage = resolveImage(pools.read, 'alpine:3.20');
 * const command = [...(image.entrypoint ?? []), ...(image.cmd ?? [])];
 * ```
 */
export interface ResolvedImage {
  readonly reference: string;
  readonly manifestId: number;
  readonly digest: string;
  /** `Env` as a record (`NAME=value` split at the first `=`; a later entry wins). */
  readonly env: Readonly<Record<string, string>>;
  readonly cmd: readonly string[] | null;
  readonly entrypoint: readonly string[] | null;
  readonly workingDir: string | null;
}

/**
 * Resolves an image reference for a sandbox created from it (defaults for command, env and working dir;
 * the digest to pin with `persistOciManifestPin`).
 *
 * 1. Takes a `DbReadConnection`, or the handle of a write transaction when the caller creates the
 *    sandbox in the same transaction (so the image cannot vanish in between).
 * 2. An unknown reference is `HostError` `IMAGE_NOT_FOUND` naming it.
 *
 * @example
 * ```ts
 * const image = resolveImage(pools.read, 'alpine:3.20');
 * const config = { command: image.cmd?.[0] ?? 'sh', env: image.env, workingDir: image.workingDir };
 * ```
 */
export function resolveImage(conn: DbReadConnection | DbWriteTransaction, reference: string): ResolvedImage {
  const row = selectImageDefaults(conn, { reference });
  if (row === undefined) {
    throw new HostError(
      'IMAGE_NOT_FOUND',
      `image "${reference}" does not exist (import it with msb image import)`,
    );
  }
  const env: Record<string, string> = {};
  for (const entry of parseArray(row.env)) {
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return {
    reference,
    manifestId: row.manifestId,
    digest: row.digest,
    env,
    cmd: row.cmd === null ? null : parseArray(row.cmd),
    entrypoint: row.entrypoint === null ? null : parseArray(row.entrypoint),
    workingDir: row.workingDir,
  };
}

function parseArray(json: string | null): string[] {
  // Written by importOciImage from checked string arrays; anything else means the row was edited by hand.
  if (json === null) return [];
  const value: unknown = JSON.parse(json);
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) {
    throw new TypeError(`config row holds ${json}, not a JSON array of strings`);
  }
  return value;
}
