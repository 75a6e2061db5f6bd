import { join } from 'node:path';
import type { DbWriteConnection } from '../../src/db/index.js';
import { importOciImage } from '../../src/host/image/import-oci-image.js';
import { buildOciLayout } from '../../test/support/build-oci-layout.js';

/**
 * The image every storm sandbox is created from.
 *
 * @example
 * ```ts
 * createSandbox(pools, { home, name, image: STORM_IMAGE, command: 'sleep', args: ['3600'] });
 * ```
 */
export const STORM_IMAGE = 'bench/storm:1';

/**
 * Builds one small OCI layout in `<home>/oci` (real gzip layers, real digests) and imports it as
 * {@link STORM_IMAGE}, once, before a storm: setup, not part of what is measured. Resolves the
 * manifest digest every sandbox then pins.
 *
 * @example
 * ```ts
 * const digest = await prepareStormImage(pools.write, home);
 * ```
 */
export async function prepareStormImage(write: DbWriteConnection, home: string): Promise<string> {
  const layout = buildOciLayout(join(home, 'oci'), { cmd: ['sleep', '3600'] });
  const image = await importOciImage(write, layout.dir, STORM_IMAGE);
  return image.digest;
}
