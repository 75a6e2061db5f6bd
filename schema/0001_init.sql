-- msb domain schema (DESIGN §5). STRICT tables; statuses are CHECK enums (the code generator turns them
-- into union types); timestamps are UTC ISO-8601 text, written by the caller or by strftime below.

CREATE TABLE sandbox (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  -- JSON: command, args, env, working dir, image reference and digest, metrics interval.
  config TEXT NOT NULL CHECK (json_valid(config)),
  status TEXT NOT NULL CHECK (status IN ('Running', 'Draining', 'Paused', 'Stopped', 'Crashed')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE run (
  id INTEGER PRIMARY KEY,
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

CREATE INDEX run_sandbox_status_started ON run (sandbox_id, status, started_at);

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

CREATE INDEX sandbox_metric_sandbox_sampled ON sandbox_metric (sandbox_id, sampled_at);

CREATE TABLE manifest (
  id INTEGER PRIMARY KEY,
  digest TEXT NOT NULL UNIQUE,
  media_type TEXT NOT NULL,
  config_digest TEXT NOT NULL,
  architecture TEXT,
  os TEXT,
  layer_count INTEGER NOT NULL,
  total_size_bytes INTEGER NOT NULL
) STRICT;

CREATE TABLE image_ref (
  id INTEGER PRIMARY KEY,
  reference TEXT NOT NULL UNIQUE,
  manifest_id INTEGER NOT NULL REFERENCES manifest (id) ON DELETE CASCADE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE TABLE config (
  id INTEGER PRIMARY KEY,
  manifest_id INTEGER NOT NULL UNIQUE REFERENCES manifest (id) ON DELETE CASCADE,
  -- JSON arrays / objects as in the OCI image config.
  env TEXT,
  cmd TEXT,
  entrypoint TEXT,
  working_dir TEXT,
  user TEXT,
  labels TEXT,
  stop_signal TEXT
) STRICT;

CREATE TABLE layer (
  id INTEGER PRIMARY KEY,
  diff_id TEXT NOT NULL UNIQUE,
  blob_digest TEXT NOT NULL,
  media_type TEXT NOT NULL,
  compressed_size_bytes INTEGER NOT NULL,
  last_used_at TEXT
) STRICT;

CREATE TABLE manifest_layer (
  id INTEGER PRIMARY KEY,
  manifest_id INTEGER NOT NULL REFERENCES manifest (id) ON DELETE CASCADE,
  layer_id INTEGER NOT NULL REFERENCES layer (id) ON DELETE RESTRICT,
  position INTEGER NOT NULL,
  UNIQUE (manifest_id, position)
) STRICT;

CREATE INDEX manifest_layer_layer ON manifest_layer (layer_id);

CREATE TABLE sandbox_rootfs (
  id INTEGER PRIMARY KEY,
  sandbox_id INTEGER NOT NULL UNIQUE REFERENCES sandbox (id) ON DELETE CASCADE,
  manifest_id INTEGER REFERENCES manifest (id) ON DELETE RESTRICT,
  mode TEXT NOT NULL CHECK (mode IN ('Oci', 'Host')),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;

CREATE INDEX sandbox_rootfs_manifest ON sandbox_rootfs (manifest_id);

CREATE TABLE volume (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  quota_mib INTEGER CHECK (quota_mib IS NULL OR quota_mib > 0),
  size_bytes INTEGER NOT NULL DEFAULT 0,
  labels TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(labels)),
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
) STRICT;
