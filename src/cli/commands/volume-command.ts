import { initGlobal, msbHome } from '../../db/index.js';
import {
  createVolume,
  inspectVolume,
  listVolumes,
  removeVolume,
  type VolumeInspection,
  type VolumeRecord,
} from '../../host/volumes.js';
import type { Command } from '../command.js';
import { forEachName } from '../for-each-name.js';
import { formatBytes } from '../format-bytes.js';
import { formatTable } from '../format-table.js';
import { parseCommandArgs } from '../parse-command-args.js';
import { parseKeyValues } from '../parse-key-values.js';
import { MAX_QUOTA_MIB, parsePositiveInt } from '../parse-positive-int.js';
import { requireNames } from '../require-names.js';
import { onSubject } from '../subject-error.js';
import { terminalSafe, terminalSafeJson } from '../terminal-safe.js';
import { UsageError } from '../usage-error.js';

const USAGE = `Usage: msb volume create <name> [--quota <MiB>] [--label KEY=VALUE]... [--json]
       msb volume ls [--json]
       msb volume inspect <name> [--json]
       msb volume rm <name>... [--json]

Named volumes are directories under $MSB_HOME/volumes/<name> with an optional quota. inspect
shows a volume's record, its directory and what the directory holds now (files, bytes).

Options:
  --quota <MiB>        quota in MiB, 1 to 1073741824 (1 PiB); none by default
  --label KEY=VALUE    a label (repeatable)
  --json               print JSON instead of text
  -h, --help           show this help

Exit codes: 0 ok, 1 failure, 2 usage, 3 no such volume, 4 volume exists. "rm" processes every name;
the exit code is the most severe of their outcomes (1 > 2 > 3 > 4).`;

/**
 * `msb volume create|ls|rm`.
 *
 * @example
 * ```ts
 * await volumeCommand.run(['create', 'cache', '--quota', '512'], io);
 * ```
 */
export const volumeCommand: Command = {
  name: 'volume',
  summary: 'create, list and remove named volumes',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'create') {
      const { values, positionals } = parseCommandArgs('volume create', rest, {
        quota: { type: 'string' },
        label: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      });
      const [name, extra] = requireNames('volume create', positionals);
      if (extra !== undefined)
        throw new UsageError(`volume create: unexpected argument "${extra}"`, 'volume');
      const labels = parseKeyValues('volume create', '--label', values.label);
      const quotaMib =
        values.quota === undefined
          ? undefined
          : parsePositiveInt('volume create', '--quota', values.quota, MAX_QUOTA_MIB);
      const pools = await initGlobal();
      const volume = await onSubject('volume', name!, () =>
        createVolume(pools, {
          home: msbHome(),
          name: name!,
          labels,
          ...(quotaMib === undefined ? {} : { quotaMib }),
        }),
      );
      io.out(
        values.json === true ? `${terminalSafeJson(volume)}\n` : `${terminalSafe(volume.name)}\tcreated\n`,
      );
      return 0;
    }
    if (sub === 'ls') {
      const { values, positionals } = parseCommandArgs('volume ls', rest, { json: { type: 'boolean' } });
      if (positionals.length > 0)
        throw new UsageError(`volume ls: unexpected argument "${positionals[0]}"`, 'volume');
      const pools = await initGlobal();
      const volumes = listVolumes(pools.read);
      if (values.json === true) {
        io.out(`${terminalSafeJson(volumes)}\n`);
        return 0;
      }
      io.out(
        formatTable(
          ['NAME', 'QUOTA', 'SIZE', 'LABELS', 'CREATED'],
          volumes.map((v) => [
            v.name,
            v.quotaMib === null ? '-' : `${v.quotaMib} MiB`,
            formatBytes(v.sizeBytes),
            formatLabels(v),
            v.createdAt,
          ]),
        ),
      );
      return 0;
    }
    if (sub === 'inspect') {
      const { values, positionals } = parseCommandArgs('volume inspect', rest, { json: { type: 'boolean' } });
      const [name, extra] = requireNames('volume inspect', positionals);
      if (extra !== undefined)
        throw new UsageError(`volume inspect: unexpected argument "${extra}"`, 'volume');
      const pools = await initGlobal();
      const inspection = await onSubject('volume', name!, () =>
        inspectVolume(pools.read, { home: msbHome(), name: name! }),
      );
      io.out(values.json === true ? `${terminalSafeJson(inspection)}\n` : renderVolume(inspection));
      return 0;
    }
    if (sub === 'rm') {
      const { values, positionals } = parseCommandArgs('volume rm', rest, { json: { type: 'boolean' } });
      const pools = await initGlobal();
      return forEachName(
        'volume',
        requireNames('volume rm', positionals),
        io,
        values.json === true,
        async (name) => {
          await removeVolume(pools, { home: msbHome(), name });
          return { text: `${name}\tremoved`, json: { name, removed: true } };
        },
      );
    }
    throw new UsageError(
      sub === undefined
        ? 'volume: missing sub-command (create, ls, inspect, rm)'
        : `volume: unknown sub-command "${sub}"`,
      'volume',
    );
  },
};

function formatLabels(volume: VolumeRecord): string {
  return (
    Object.entries(volume.labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(',') || '-'
  );
}

function renderVolume({ volume, path, pathExists, usedBytes, files }: VolumeInspection): string {
  return `${[
    ['Name', volume.name],
    ['Path', pathExists ? path : `${path} (missing)`],
    ['Quota', volume.quotaMib === null ? '-' : `${volume.quotaMib} MiB`],
    ['Used', `${formatBytes(usedBytes)} in ${files} file${files === 1 ? '' : 's'}`],
    ['Labels', formatLabels(volume)],
    ['Created', volume.createdAt],
    ['Updated', volume.updatedAt],
  ]
    .map(([key, value]) => `${`${key}:`.padEnd(9)}${terminalSafe(value ?? '')}`)
    .join('\n')}\n`;
}
