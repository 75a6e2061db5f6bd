-- Runs as the host sees them. The runtime inserts its own run (queries/runtime.sql); the host reads
-- runs and terminates the ones whose runtime can no longer do it.

-- name: SelectActiveRun :one
-- :read
SELECT * FROM run
WHERE sandbox_id = @sandbox_id AND status = 'Running'
ORDER BY started_at DESC, id DESC
LIMIT 1;

-- name: SelectLatestRun :one
-- :read
SELECT * FROM run
WHERE sandbox_id = @sandbox_id
ORDER BY started_at DESC, id DESC
LIMIT 1;

-- name: ListRunsOfSandbox :many
-- :read
SELECT * FROM run
WHERE sandbox_id = @sandbox_id
ORDER BY started_at DESC, id DESC
LIMIT @limit;

-- name: ListActiveRuns :many
-- :read
-- :scan-ok sorts by sandbox name only the Running runs (about one per live sandbox, read through run_running)
SELECT run.id AS run_id, run.sandbox_id, run.pid, sandbox.name, sandbox.status AS sandbox_status
FROM run
JOIN sandbox ON sandbox.id = run.sandbox_id
WHERE run.status = 'Running'
ORDER BY sandbox.name, run.id;

-- name: TerminateActiveRun :execrows
-- :write
-- Only a run still Running is terminated: whoever records a run's end first (the runtime its exit, the
-- host a stale or killed runtime) wins, and the other's record is dropped. Used by host and runtime alike.
UPDATE run
SET status = 'Terminated',
    termination_reason = @termination_reason,
    termination_detail = @termination_detail,
    exit_code = @exit_code,
    exit_signal = @exit_signal,
    terminated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id AND status = 'Running';

-- name: SelectRunById :one
-- :read
SELECT * FROM run WHERE id = @id;
