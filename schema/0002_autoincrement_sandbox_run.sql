-- sandbox and run ids are never reused (AUTOINCREMENT): a runtime that outlived its sandbox (a replace
-- racing a start) must never be able to write into a new sandbox, or a new run, that got its old id.
--
-- SQLite cannot add AUTOINCREMENT to a table, so both tables are rebuilt, and with them every table that
-- references sandbox. This runs inside the migrator's BEGIN IMMEDIATE with foreign_keys=ON, where the
-- usual "create new, copy, drop old, rename new" order is wrong for a parent: DROP TABLE sandbox would
-- run an implicit DELETE FROM that cascades into run, sandbox_metric and sandbox_rootfs. Instead the old
-- tables are renamed out of the way first (with foreign keys on, SQLite rewrites the children's
-- REFERENCES to follow the rename), the new tables are created under the real names and filled, and the
-- old tables are dropped children first, so nothing references the old sandbox when it goes.
-- defer_foreign_keys (reset at commit) lets the intermediate states pass; the commit checks them all.
PRAGMA defer_foreign_keys = ON;

ALTER TABLE sandbox_rootfs RENAME TO sandbox_rootfs_0001;
ALTER TABLE sandbox_metric RENAME TO sandbox_metric_0001;
ALTER TABLE run RENAME TO run_0001;
ALTER TABLE sandbox RENAME TO sandbox_0001;

-- The old tables' indexes keep their names until their tables are dropped.
DROP INDEX run_sandbox_status_started;
DROP INDEX sandbox_metric_sandbox_sampled;
DROP INDEX sandbox_rootfs_manifest;

CREATE TABLE sandbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  -- JSON: command, args, env, working dir, image reference and digest, metrics interval.
  config TEXT NOT NULL CHECK (json_valid(config)),
  status TEXT NOT NULL CHECK (status IN ('Running', 'Draining', 'Paused', 'Stopped', 'Crashed')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

INSERT INTO sandbox (id, name, config, status, created_at, updated_at)
SELECT id, name, config, status, created_at, updated_at FROM sandbox_0001;

CREATE TABLE run (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  sandbox_id INTEGER NOT NULL REFERENCES sandbox (id) ON DELETE CASCADE,
  pid INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('Running', 'Terminated')),
  exit_code INTEGER,
  exit_signal TEXT,
  termination_reason TEXT CHECK (
    termination_reason IN (
      'Completed', 'Failed', 'MaxDurationExceeded', 'IdleTimeout', 'DrainRequested', 'Signal', 'InternalError'
    )
  ),
  termination_detail TEXT,
  started_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  terminated_at TEXT
) STRICT;

INSERT INTO run (
  id, sandbox_id, pid, status, exit_code, exit_signal, termination_reason, termination_detail, started_at,
  terminated_at
)
SELECT
  id, sandbox_id, pid, status, exit_code, exit_signal, termination_reason, termination_detail, started_at,
  terminated_at
FROM run_0001;

CREATE TABLE sandbox_metric (
  id INTEGER PRIMARY KEY,
  sandbox_id INTEGER NOT NULL REFERENCES sandbox (id) ON DELETE CASCADE,
  cpu_percent REAL NOT NULL,
  memory_bytes INTEGER NOT NULL,
  disk_read_bytes INTEGER NOT NULL,
  disk_write_bytes INTEGER NOT NULL,
  net_rx_bytes INTEGER NOT NULL,
  net_tx_bytes INTEGER NOT NULL,
  sampled_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

INSERT INTO sandbox_metric (
  id, sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes,
  sampled_at
)
SELECT
  id, sandbox_id, cpu_percent, memory_bytes, disk_read_bytes, disk_write_bytes, net_rx_bytes, net_tx_bytes,
  sampled_at
FROM sandbox_metric_0001;

CREATE TABLE sandbox_rootfs (
  id INTEGER PRIMARY KEY,
  sandbox_id INTEGER NOT NULL UNIQUE REFERENCES sandbox (id) ON DELETE CASCADE,
  manifest_id INTEGER REFERENCES manifest (id) ON DELETE RESTRICT,
  mode TEXT NOT NULL CHECK (mode IN ('Oci', 'Host')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

INSERT INTO sandbox_rootfs (id, sandbox_id, manifest_id, mode, created_at)
SELECT id, sandbox_id, manifest_id, mode, created_at FROM sandbox_rootfs_0001;

DROP TABLE sandbox_rootfs_0001;
DROP TABLE sandbox_metric_0001;
DROP TABLE run_0001;
DROP TABLE sandbox_0001;

CREATE INDEX run_sandbox_status_started ON run (sandbox_id, status, started_at);
CREATE INDEX sandbox_metric_sandbox_sampled ON sandbox_metric (sandbox_id, sampled_at);
CREATE INDEX sandbox_rootfs_manifest ON sandbox_rootfs (manifest_id);
