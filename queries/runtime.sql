-- What a runtime process writes about its own sandbox: its run, its samples, its end. Every statement
-- runs on the runtime's own DbWriteConnection; reads happen inside its transactions. The runtime loads
-- its sandbox with SelectSandboxById (queries/sandbox.sql) and ends its run with TerminateActiveRun
-- (queries/run.sql).

-- name: ClaimSandboxForRun :execrows
-- :write
-- A runtime may only take the sandbox the host left Running for it: the same row (id and name: a
-- replaced sandbox is a new row with a new id), still Running (a stop or kill during the start marked
-- it Stopped, and that must win), and not already claimed by another runtime's Running run (a stop and
-- a start that raced this one). Run in the transaction that inserts the run; 0 rows means "do not run".
UPDATE sandbox
SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id
  AND name = @name
  AND status = 'Running'
  AND NOT EXISTS (SELECT 1 FROM run WHERE run.sandbox_id = @id AND run.status = 'Running');

-- name: InsertRuntimeRun :execlastid
-- :write
INSERT INTO run (sandbox_id, pid, status) VALUES (@sandbox_id, @pid, 'Running');

-- name: SelectRunningRunOfPid :one
-- :read
-- The run a given runtime process inserted, if it is still Running: what the host terminates for a
-- runtime it had to kill before it reported.
SELECT * FROM run WHERE sandbox_id = @sandbox_id AND pid = @pid AND status = 'Running'
LIMIT 1;

-- name: MarkSandboxStoppedUnlessRunRunning :execrows
-- :write
-- Run after the caller's own run was ended in the same transaction: a sandbox that still has a Running
-- run (a restart that raced this runtime's end) keeps its status.
UPDATE sandbox
SET status = 'Stopped', updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
WHERE id = @id
  AND NOT EXISTS (SELECT 1 FROM run WHERE run.sandbox_id = @id AND run.status = 'Running');

-- name: SelectRunStillWanted :one
-- :read
-- Whether the host still counts on a run: it is Running and its sandbox row exists and is not recorded
-- as Stopped or Crashed. A stop or replace that raced the run's start can leave a live runtime the host
-- has written off; the runtime checks this with every sample and stops its workload when it is gone.
SELECT run.id
FROM run
JOIN sandbox ON sandbox.id = run.sandbox_id
WHERE run.id = @run_id AND run.status = 'Running' AND sandbox.status NOT IN ('Stopped', 'Crashed');

-- name: InsertRuntimeMetric :exec
-- :write
INSERT INTO sandbox_metric (
  sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes
) VALUES (
  @sandbox_id, @cpu_percent, @memory_bytes, @disk_read_bytes, @disk_write_bytes, @net_rx_bytes, @net_tx_bytes
);

-- name: InsertRuntimeMetricIfWanted :execrows
-- :write
-- A runtime's sample, stored only while the host still counts on its run (the test of
-- SelectRunStillWanted, in the same statement): 0 rows means the run was written off and the runtime
-- stops its workload. One statement, since it runs once a second per sandbox under the write lock.
INSERT INTO sandbox_metric (
  sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes
)
SELECT run.sandbox_id, @cpu_percent, @memory_bytes, @disk_read_bytes, @disk_write_bytes, @net_rx_bytes, @net_tx_bytes
FROM run
JOIN sandbox ON sandbox.id = run.sandbox_id
WHERE run.id = @run_id AND run.status = 'Running' AND sandbox.status NOT IN ('Stopped', 'Crashed');
