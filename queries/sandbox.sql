-- Sandbox definitions and their status. The host is the only writer of these rows apart
-- from the runtime marking its sandbox Stopped when the workload exits.

-- name: InsertSandbox :one
-- :write
INSERT INTO sandbox (name, config, status, start_deadline)
VALUES (@name, @config, 'Running', @start_deadline)
RETURNING *;

-- name: SelectSandboxByName :one
-- :read
SELECT * FROM sandbox WHERE name = @name;

-- name: SelectSandboxById :one
-- :read
SELECT * FROM sandbox WHERE id = @id;

-- name: SelectSandboxes :many
-- :read
-- :scan-ok lists every sandbox (msb ls), in name order
SELECT * FROM sandbox ORDER BY name;

-- name: SetSandboxStatus :execrows
-- :write
UPDATE sandbox
SET status = @status, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id;

-- name: MarkSandboxCrashedIfActive :execrows
-- :write
-- A sandbox only crashes from an active state (a row the runtime already marked Stopped stays Stopped),
-- and not while another run of it is Running (a restart that raced the stale run's discovery).
UPDATE sandbox
SET status = 'Crashed', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id
  AND status IN ('Running', 'Draining')
  AND NOT EXISTS (
    SELECT 1 FROM run WHERE run.sandbox_id = @id AND run.status = 'Running' AND run.id <> @stale_run_id
  );

-- name: MarkSandboxStoppedIfActive :execrows
-- :write
UPDATE sandbox
SET status = 'Stopped', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id AND status IN ('Running', 'Draining');

-- name: MarkSandboxStartingIfIdle :one
-- :write
-- Start is a compare-and-set, so two hosts starting one sandbox cannot both launch a runtime.
UPDATE sandbox
SET status = 'Running', start_deadline = @start_deadline, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id AND status IN ('Stopped', 'Crashed')
RETURNING *;

-- name: DeleteSandbox :execrows
-- :write
DELETE FROM sandbox WHERE id = @id;

-- name: DeleteSandboxIfIdle :execrows
-- :write
-- Remove refuses an active sandbox in the same statement that deletes, so no runtime can slip in between.
DELETE FROM sandbox WHERE id = @id AND status NOT IN ('Running', 'Draining');

-- name: ListAbandonedStarts :many
-- :read
-- Running sandboxes whose start deadline has passed with no Running run: their runtime never claimed them.
SELECT id, name FROM sandbox
WHERE status = 'Running'
  AND COALESCE(start_deadline, strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+60 seconds'))
    < strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  AND NOT EXISTS (SELECT 1 FROM run WHERE run.sandbox_id = sandbox.id AND run.status = 'Running');

-- name: MarkStartAbandoned :execrows
-- :write
-- The same conditions as ListAbandonedStarts, checked again under the write lock: a runtime that claimed
-- the sandbox meanwhile keeps it.
UPDATE sandbox
SET status = 'Crashed', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id
  AND status = 'Running'
  AND COALESCE(start_deadline, strftime('%Y-%m-%dT%H:%M:%fZ', updated_at, '+60 seconds'))
    < strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  AND NOT EXISTS (SELECT 1 FROM run WHERE run.sandbox_id = @id AND run.status = 'Running');
