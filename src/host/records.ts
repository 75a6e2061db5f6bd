import type {
  SelectActiveRunRow,
  SelectLatestMetricRow,
  SelectSandboxByNameRow,
} from '../generated/index.js';
import { HostError } from '../sandbox/errors.js';
import type { SandboxConfig } from '../sandbox/protocol.js';
import { parseSandboxConfig } from '../sandbox/sandbox-config.js';

/** A sandbox's status, as the schema's `CHECK` enum allows it. */
export type SandboxStatus = SelectSandboxByNameRow['status'];

/**
 * A `sandbox` row with its config JSON parsed.
 *
 * @example
 * ```ts
 * const record = loadSandboxRecord(pools.read, 'web');
 * record?.config.command; // 'sleep'
 * ```
 */
export interface SandboxRecord {
  readonly id: number;
  readonly name: string;
  readonly status: SandboxStatus;
  readonly config: SandboxConfig;
  /** While no run has claimed it: when its start is given up (see {@link isStartAbandoned}). */
  readonly startDeadline: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A {@link SandboxRecord} from any generated row of the `sandbox` table; a bad config is `SANDBOX_CONFIG_INVALID`. */
export function toSandboxRecord(row: SelectSandboxByNameRow): SandboxRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    config: parseSandboxConfig(
      row.name,
      row.config,
      (m) => new HostError('SANDBOX_CONFIG_INVALID', `${m}; once stopped it can still be removed`),
    ),
    startDeadline: row.startDeadline,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

// Past the launcher's ready timeout, so the host that started it gets to clean up first.
const START_MARGIN_MS = 10_000;

/** The start deadline of a sandbox marked Running now, whose start waits `readyTimeoutMs` for its runtime. */
export function startDeadline(readyTimeoutMs: number, now = Date.now()): string {
  return new Date(now + readyTimeoutMs + START_MARGIN_MS).toISOString();
}

/**
 * Whether a Running sandbox with no run has passed its start deadline: its runtime never claimed it
 * (the command that started it was killed, or the runtime died first). Rows written before deadlines
 * existed get `updated_at` + 60 s, as in the queries.
 */
export function isStartAbandoned(
  record: Pick<SandboxRecord, 'status' | 'startDeadline' | 'updatedAt'>,
  now = Date.now(),
): boolean {
  const deadline =
    record.startDeadline === null ? Date.parse(record.updatedAt) + 60_000 : Date.parse(record.startDeadline);
  return record.status === 'Running' && deadline < now;
}

/** Whether a status means a runtime is (or should be) supervising the sandbox. */
export function isActiveStatus(status: SandboxStatus): boolean {
  return status === 'Running' || status === 'Draining';
}

/** One `run` row: a runtime's supervision of a sandbox, from its start to its recorded end. */
export type RunRecord = SelectActiveRunRow;

/** One `sandbox_metric` row, as a runtime's sampler wrote it. */
export type MetricSample = SelectLatestMetricRow;

/**
 * What `msb ls` and `msb inspect` show of one sandbox: its record, its current (or last) run, the
 * runtime pid if that process is alive, its newest metric sample and its uptime.
 *
 * @example
 * ```ts
 * const handle: SandboxHandle = buildHandle(pools.read, record);
 * if (handle.pid !== null) console.log(`${handle.record.name} up ${handle.uptimeMs} ms`);
 * ```
 */
export interface SandboxHandle {
  readonly record: SandboxRecord;
  /** The active run, or else the newest run; `undefined` before the first runtime started. */
  readonly run: RunRecord | undefined;
  /** The runtime pid while the active run's process is alive, else null. */
  readonly pid: number | null;
  readonly metric: MetricSample | undefined;
  /** Milliseconds since the live run started, else null. */
  readonly uptimeMs: number | null;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

/** Refuses (`INVALID_ARGUMENT`) a name that could not safely be a directory name under the msb home. */
export function assertValidName(kind: 'sandbox' | 'volume', name: string): void {
  if (!NAME.test(name)) {
    throw new HostError(
      'INVALID_ARGUMENT',
      `${kind} name "${name}" is invalid: use 1 to 63 letters, digits, "_", "." or "-", starting with a letter or digit`,
    );
  }
}
