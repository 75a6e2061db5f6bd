import { resolve } from 'node:path';
import { initGlobal } from '../../db/index.js';
import { listImageRefs } from '../../generated/index.js';
import { type ImageInspection, importOciImage, inspectImage, removeImage } from '../../host/images.js';
import type { Command } from '../command.js';
import { forEachName } from '../for-each-name.js';
import { formatBytes } from '../format-bytes.js';
import { formatTable } from '../format-table.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { requireNames } from '../require-names.js';
import { onSubject } from '../subject-error.js';
import { terminalSafe, terminalSafeJson } from '../terminal-safe.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: msb image import <dir> --ref <name:tag> [--json]
       msb image ls [--json]
       msb image inspect <name:tag> [--json]
       msb image rm <name:tag>... [--json]

import  read an OCI image layout directory (oci-layout, index.json, blobs/), verify every digest, and
        store its manifest, config, layers and the reference in one transaction; every file of the
        layout must be a regular file inside it (no symbolic links, FIFOs or devices)
ls      list image references with digest, platform, layers and size
inspect show one image: manifest, config (entrypoint, cmd, env, ...), layers, the other references
        to its manifest and the sandboxes pinning it
rm      remove references; a manifest goes with its last reference unless a sandbox pins it

Options:
  --ref <name:tag>  (import) the reference to store the image under
  --json            print JSON instead of text
  -h, --help        show this help

Exit codes: 0 ok, 1 invalid layout (the message names the file), 2 usage, 3 image not found,
4 image pinned by a sandbox. "rm" processes every reference; the exit code is the most severe of
their outcomes (1 > 2 > 3 > 4).`;

/** `msb image import|ls|inspect|rm`. */
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
      const ref = values.ref;
      const image = await onSubject('image', ref, () => importOciImage(pools.write, resolve(dir!), ref));
      io.out(
        values.json === true
          ? `${terminalSafeJson(image)}\n`
          : `${terminalSafe(image.reference)}\t${image.digest}\t${image.created ? 'imported' : 'already stored'}\n`,
      );
      return 0;
    }
    if (sub === 'ls') {
      const { values, positionals } = parseCommandArgs('image ls', rest, { json: { type: 'boolean' } });
      if (positionals.length > 0)
        throw new UsageError(`image ls: unexpected argument "${positionals[0]}"`, 'image');
      const pools = await initGlobal();
      const images = listImageRefs(pools.read);
      io.out(
        values.json === true
          ? `${terminalSafeJson(images)}\n`
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
    if (sub === 'inspect') {
      const { values, positionals } = parseCommandArgs('image inspect', rest, { json: { type: 'boolean' } });
      const [reference, extra] = requireNames('image inspect', positionals, 'name:tag');
      if (extra !== undefined) throw new UsageError(`image inspect: unexpected argument "${extra}"`, 'image');
      const pools = await initGlobal();
      const image = await onSubject('image', reference!, () => inspectImage(pools.read, reference!));
      io.out(values.json === true ? `${terminalSafeJson(image)}\n` : renderImage(image));
      return 0;
    }
    if (sub === 'rm') {
      const { values, positionals } = parseCommandArgs('image rm', rest, { json: { type: 'boolean' } });
      const pools = await initGlobal();
      const references = requireNames('image rm', positionals, 'name:tag');
      return forEachName('image', references, io, values.json === true, async (reference) => {
        const removed = await removeImage(pools.write, reference);
        const note = removed.manifestDeleted ? ` (manifest ${removed.digest} deleted)` : '';
        return { text: `${reference}\tremoved${note}`, json: removed };
      });
    }
    throw new UsageError(
      sub === undefined
        ? 'image: missing sub-command (import, ls, inspect, rm)'
        : `image: unknown sub-command "${sub}"`,
      'image',
    );
  },
};

function renderImage(image: ImageInspection): string {
  const { config } = image;
  const list = (values: readonly string[] | null): string => (values === null ? '-' : JSON.stringify(values));
  const lines = [
    ['Reference', image.reference],
    ['Digest', image.digest],
    ['Media type', image.mediaType],
    ['Platform', `${image.os ?? '?'}/${image.architecture ?? '?'}`],
    ['Size', formatBytes(image.totalSizeBytes)],
    ['Created', image.createdAt],
    ['Entrypoint', list(config.entrypoint)],
    ['Cmd', list(config.cmd)],
    ['Working dir', config.workingDir || '-'],
    ['User', config.user || '-'],
    ['Stop signal', config.stopSignal ?? '-'],
    ['Env', config.env.length === 0 ? '-' : config.env.map(terminalSafe).join('\n             ')],
    [
      'Labels',
      Object.entries(config.labels)
        .map(([k, v]) => terminalSafe(`${k}=${v}`))
        .join('\n             ') || '-',
    ],
    ['References', image.references.join(', ')],
    ['Pinned by', image.pinnedBy.length === 0 ? '-' : image.pinnedBy.join(', ')],
  ].map(
    ([key, value]) =>
      `${`${key}:`.padEnd(13)}${key === 'Env' || key === 'Labels' ? value : terminalSafe(value ?? '')}`,
  );
  const layers = formatTable(
    ['#', 'DIFF ID', 'BLOB', 'SIZE'],
    image.layers.map((layer, i) => [
      String(i),
      layer.diffId.slice(0, 19),
      layer.blobDigest.slice(0, 19),
      formatBytes(layer.compressedSizeBytes),
    ]),
  );
  return `${lines.join('\n')}\nLayers:\n${layers}`;
}
