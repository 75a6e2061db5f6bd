-- What a runtime process writes about its own sandbox: its run, its samples, its end. Every statement
-- runs on the runtime's own DbWriteConnection; reads happen inside its transactions.

-- name: SelectRuntimeSandbox :one
-- :read
SELECT id, name, config, status FROM sandbox WHERE name = @name;

-- name: InsertRuntimeRun :execlastid
-- :write
-- The runtime is what makes a sandbox Running, so the run row and the status change commit together.
INSERT INTO run (sandbox_id, pid, status) VALUES (@sandbox_id, @pid, 'Running');

-- name: MarkRuntimeSandboxRunning :execrows
-- :write
UPDATE sandbox
SET status = 'Running', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id;

-- name: FinishRuntimeRun :execrows
-- :write
-- Only a run still Running is finished: if the host already terminated it (stale, replaced), its record
-- wins.
UPDATE run
SET status = 'Terminated',
    termination_reason = @termination_reason,
    termination_detail = @termination_detail,
    exit_code = @exit_code,
    exit_signal = @exit_signal,
    terminated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id AND status = 'Running';

-- name: MarkRuntimeSandboxStopped :execrows
-- :write
-- A newer run of the same sandbox (a restart that raced this runtime's exit) keeps its sandbox Running.
UPDATE sandbox
SET status = 'Stopped', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id
  AND NOT EXISTS (
    SELECT 1 FROM run WHERE run.sandbox_id = @id AND run.status = 'Running' AND run.id <> @run_id
  );

-- name: InsertRuntimeMetric :exec
-- :write
INSERT INTO sandbox_metric (
  sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes
) VALUES (
  @sandbox_id, @cpu_percent, @memory_bytes, @disk_read_bytes, @disk_write_bytes, @net_rx_bytes, @net_tx_bytes
);
