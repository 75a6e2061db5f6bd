import { resolve } from 'node:path';
import { initGlobal } from '../../db/index.js';
import { importOciImage, listImages, removeImage } from '../../host/images.js';
import type { Command } from '../command.js';
import { forEachName } from '../for-each-name.js';
import { formatBytes } from '../format-bytes.js';
import { formatTable } from '../format-table.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { requireNames } from '../require-names.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: msb image import <dir> --ref <name:tag> [--json]
       msb image ls [--json]
       msb image rm <name:tag>...

import  read an OCI image layout directory (oci-layout, index.json, blobs/), verify every digest, and
        store its manifest, config, layers and the reference in one transaction
ls      list image references with digest, platform, layers and size
rm      remove references; a manifest goes with its last reference unless a sandbox pins it

Options:
  --ref <name:tag>  (import) the reference to store the image under
  --json            print JSON instead of text
  -h, --help        show this help

Exit codes: 0 ok, 1 invalid layout (the message names the file), 2 usage, 3 image not found,
4 image pinned by a sandbox. "rm" processes every reference; the exit code is the most severe of
their outcomes (1 > 2 > 3 > 4).`;

/**
 * `msb image import|ls|rm`.
 *
 * @example
 * ```ts
 * await imageCommand.run(['import', './alpine-oci', '--ref', 'alpine:3.20'], io);
 * ```
 */
export const imageCommand: Command = {
  name: 'image',
  summary: 'import OCI image layouts, list and remove images',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'import') {
      const { values, positionals } = parseCommandArgs('image import', rest, {
        ref: { type: 'string' },
        json: { type: 'boolean' },
      });
      const [dir, extra] = requireNames('image import', positionals, 'dir');
      if (extra !== undefined) throw new UsageError(`image import: unexpected argument "${extra}"`, 'image');
      if (values.ref === undefined) throw new UsageError('image import: missing --ref <name:tag>', 'image');
      const pools = await initGlobal();
      const image = await importOciImage(pools.write, resolve(dir!), values.ref);
      io.out(
        values.json === true
          ? `${JSON.stringify(image, null, 2)}\n`
          : `${image.reference}\t${image.digest}\t${image.created ? 'imported' : 'already stored'}\n`,
      );
      return 0;
    }
    if (sub === 'ls') {
      const { values, positionals } = parseCommandArgs('image ls', rest, { json: { type: 'boolean' } });
      if (positionals.length > 0)
        throw new UsageError(`image ls: unexpected argument "${positionals[0]}"`, 'image');
      const pools = await initGlobal();
      const images = listImages(pools.read);
      io.out(
        values.json === true
          ? `${JSON.stringify(images, null, 2)}\n`
          : formatTable(
              ['REFERENCE', 'DIGEST', 'PLATFORM', 'LAYERS', 'SIZE', 'CREATED'],
              images.map((i) => [
                i.reference,
                i.digest.slice(0, 19),
                `${i.os ?? '?'}/${i.architecture ?? '?'}`,
                String(i.layerCount),
                formatBytes(i.totalSizeBytes),
                i.createdAt,
              ]),
            ),
      );
      return 0;
    }
    if (sub === 'rm') {
      const { positionals } = parseCommandArgs('image rm', rest, {});
      const pools = await initGlobal();
      return forEachName(requireNames('image rm', positionals, 'name:tag'), io, async (reference) => {
        const removed = await removeImage(pools.write, reference);
        io.out(
          `${reference}\tremoved${removed.manifestDeleted ? ` (manifest ${removed.digest} deleted)` : ''}\n`,
        );
      });
    }
    throw new UsageError(
      sub === undefined
        ? 'image: missing sub-command (import, ls, rm)'
        : `image: unknown sub-command "${sub}"`,
      'image',
    );
  },
};
