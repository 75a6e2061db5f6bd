/**
 * The statements of the naive port, copied from `queries/*.sql` so both ports run the same SQL steps on
 * the same schema; only the way they are run differs (raw better-sqlite3, deferred `db.transaction`,
 * blocking `busy_timeout`, no retry).
 *
 * @example
 * ```ts
 * db.prepare(NAIVE_SQL.insertSandbox).get({ name: 'storm-1', config: '{}' });
 * ```
 */
export const NAIVE_SQL = {
  /** `resolveImage`: the manifest and OCI config an image reference names. */
  selectImage: `SELECT manifest.id AS manifest_id, manifest.digest, config.env, config.cmd, config.entrypoint, config.working_dir
    FROM image_ref
    JOIN manifest ON manifest.id = image_ref.manifest_id
    LEFT JOIN config ON config.manifest_id = manifest.id
    WHERE image_ref.reference = @reference`,
  selectSandboxByName: 'SELECT * FROM sandbox WHERE name = @name',
  insertSandbox: `INSERT INTO sandbox (name, config, status) VALUES (@name, @config, 'Running') RETURNING *`,
  upsertOciManifestPin: `INSERT INTO sandbox_rootfs (sandbox_id, manifest_id, mode)
    VALUES (@sandbox_id, (SELECT id FROM manifest WHERE digest = @digest), 'Oci')
    ON CONFLICT (sandbox_id) DO UPDATE SET manifest_id = excluded.manifest_id, mode = excluded.mode
    RETURNING id, sandbox_id, manifest_id, mode, created_at`,
  selectActiveRun: `SELECT * FROM run WHERE sandbox_id = @sandbox_id AND status = 'Running'
    ORDER BY started_at DESC, id DESC LIMIT 1`,
  selectRunById: 'SELECT * FROM run WHERE id = @id',
  markSandboxStoppedIfActive: `UPDATE sandbox
    SET status = 'Stopped', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id AND status IN ('Running', 'Draining')`,
  terminateActiveRun: `UPDATE run
    SET status = 'Terminated', termination_reason = @termination_reason,
        termination_detail = @termination_detail, exit_code = @exit_code, exit_signal = @exit_signal,
        terminated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id AND status = 'Running'`,
  selectRuntimeSandbox: 'SELECT id, name, config, status FROM sandbox WHERE name = @name',
  insertRuntimeRun: `INSERT INTO run (sandbox_id, pid, status) VALUES (@sandbox_id, @pid, 'Running')`,
  markRuntimeSandboxRunning: `UPDATE sandbox
    SET status = 'Running', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id`,
  finishRuntimeRun: `UPDATE run
    SET status = 'Terminated', termination_reason = @termination_reason,
        termination_detail = @termination_detail, exit_code = @exit_code, exit_signal = @exit_signal,
        terminated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id AND status = 'Running'`,
  markRuntimeSandboxStopped: `UPDATE sandbox
    SET status = 'Stopped', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
    WHERE id = @id
      AND NOT EXISTS (
        SELECT 1 FROM run WHERE run.sandbox_id = @id AND run.status = 'Running' AND run.id <> @run_id
      )`,
  insertRuntimeMetric: `INSERT INTO sandbox_metric (
      sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes
    ) VALUES (
      @sandbox_id, @cpu_percent, @memory_bytes, @disk_read_bytes, @disk_write_bytes, @net_rx_bytes,
      @net_tx_bytes
    )`,
} as const;
