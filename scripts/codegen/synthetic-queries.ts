import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const TEMPLATES: readonly ((n: number) => string)[] = [
  (n) => `-- name: SelectRun${n} :one\n-- :read\nSELECT * FROM run WHERE id = @id AND pid > ${n};\n`,
  (n) =>
    `-- name: ListRunsWithSandbox${n} :many\n-- :read\nSELECT r.id, r.pid, s.name, s.status FROM run r LEFT JOIN sandbox s ON s.id = r.sandbox_id WHERE r.status = @status LIMIT ${n + 1};\n`,
  (n) =>
    `-- name: CountRuns${n} :one\n-- :read\nSELECT count(*) AS n, max(started_at) AS latest, coalesce(sum(exit_code), 0) AS total FROM run WHERE sandbox_id = @sandbox_id AND pid <> ${n};\n`,
  (n) =>
    `-- name: InsertMetric${n} :execlastid\n-- :write\nINSERT INTO sandbox_metric (sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes)\nVALUES (@sandbox_id, @cpu_percent, @memory_bytes, @disk_read_bytes, @disk_write_bytes, @net_rx_bytes, ${n});\n`,
  (n) =>
    `-- name: UpdateSandboxStatus${n} :execrows\n-- :write\nUPDATE sandbox SET status = @status, updated_at = @updated_at WHERE id = @id AND ${n} = ${n};\n`,
  (n) =>
    `-- name: DeleteRuns${n} :exec\n-- :write\nDELETE FROM run WHERE id IN (SELECT value FROM json_each(@ids)) AND pid > ${n};\n`,
  (n) =>
    `-- name: SandboxSummary${n} :many\n-- :read\nSELECT s.id, s.name, CASE WHEN s.status = 'Running' THEN 'up' ELSE 'down' END AS state,\n  (SELECT max(m.sampled_at) FROM sandbox_metric m WHERE m.sandbox_id = s.id) AS last_sample\nFROM sandbox s WHERE s.id > ${n} ORDER BY s.name;\n`,
  (n) =>
    `-- name: InsertSandbox${n} :one\n-- :write\nINSERT INTO sandbox (name, config, status) VALUES (@name, @config, 'Running') RETURNING id, created_at, ${n} AS n;\n`,
];

/**
 * Writes `count` valid queries over the domain schema, spread over 10 files, for the speed
 * measurement. Returns the number written.
 *
 * @example
 * ```ts
 * writeSyntheticQueries('/tmp/bench/queries', 250);
 * ```
 */
export function writeSyntheticQueries(dir: string, count: number): number {
  const files: string[][] = Array.from({ length: 10 }, () => []);
  for (let n = 0; n < count; n++) {
    const template = TEMPLATES[n % TEMPLATES.length];
    if (template !== undefined) files[n % 10]?.push(template(n));
  }
  files.forEach((blocks, i) => {
    writeFileSync(join(dir, `area${String(i).padStart(2, '0')}.sql`), blocks.join('\n'));
  });
  return count;
}
