-- OCI images: manifests, their configs and layers, and the references that name them.

-- name: SelectManifestByDigest :one
-- :read
SELECT id, digest, media_type, config_digest, architecture, os, layer_count, total_size_bytes
FROM manifest WHERE digest = @digest;

-- name: InsertManifest :execlastid
-- :write
INSERT INTO manifest (digest, media_type, config_digest, architecture, os, layer_count, total_size_bytes)
VALUES (@digest, @media_type, @config_digest, @architecture, @os, @layer_count, @total_size_bytes);

-- name: InsertImageConfig :exec
-- :write
INSERT INTO config (manifest_id, env, cmd, entrypoint, working_dir, user, labels, stop_signal)
VALUES (@manifest_id, @env, @cmd, @entrypoint, @working_dir, @user, @labels, @stop_signal);

-- name: UpsertLayer :one
-- :write
-- A layer shared by several images is stored once, keyed by its uncompressed digest.
INSERT INTO layer (diff_id, blob_digest, media_type, compressed_size_bytes, last_used_at)
VALUES (@diff_id, @blob_digest, @media_type, @compressed_size_bytes, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
ON CONFLICT (diff_id) DO UPDATE SET last_used_at = excluded.last_used_at
RETURNING id;

-- name: InsertManifestLayer :exec
-- :write
INSERT INTO manifest_layer (manifest_id, layer_id, position) VALUES (@manifest_id, @layer_id, @position);

-- name: SelectImageRef :one
-- :read
SELECT image_ref.id, image_ref.reference, image_ref.manifest_id, manifest.digest
FROM image_ref
JOIN manifest ON manifest.id = image_ref.manifest_id
WHERE image_ref.reference = @reference;

-- name: UpsertImageRef :exec
-- :write
-- Re-pointing a reference replaces its manifest; the old manifest is collected by the caller if unused.
INSERT INTO image_ref (reference, manifest_id) VALUES (@reference, @manifest_id)
ON CONFLICT (reference) DO UPDATE
SET manifest_id = excluded.manifest_id, created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now');

-- name: DeleteImageRef :execrows
-- :write
DELETE FROM image_ref WHERE reference = @reference;

-- name: CountManifestUsers :one
-- :read
SELECT
  (SELECT count(*) FROM image_ref WHERE manifest_id = @manifest_id) AS "refs!",
  (SELECT count(*) FROM sandbox_rootfs WHERE manifest_id = @manifest_id) AS "pins!";

-- name: DeleteManifest :execrows
-- :write
-- Cascades to config and manifest_layer; layers are collected separately.
DELETE FROM manifest WHERE id = @id;

-- name: DeleteUnusedLayers :execrows
-- :write
-- :scan-ok garbage collection after an image is dropped: every stored layer (one row each) is checked for a manifest still using it
DELETE FROM layer WHERE NOT EXISTS (SELECT 1 FROM manifest_layer WHERE manifest_layer.layer_id = layer.id);

-- name: ListImageRefs :many
-- :read
-- :scan-ok lists every image reference (msb image ls), in reference order
SELECT image_ref.reference, manifest.digest, manifest.architecture, manifest.os, manifest.layer_count,
  manifest.total_size_bytes, image_ref.created_at
FROM image_ref
JOIN manifest ON manifest.id = image_ref.manifest_id
ORDER BY image_ref.reference;

-- name: SelectImageDefaults :one
-- :read
SELECT manifest.id AS manifest_id, manifest.digest, config.env, config.cmd, config.entrypoint,
  config.working_dir
FROM image_ref
JOIN manifest ON manifest.id = image_ref.manifest_id
LEFT JOIN config ON config.manifest_id = manifest.id
WHERE image_ref.reference = @reference;

-- name: ListManifestLayers :many
-- :read
SELECT manifest_layer.position, layer.diff_id, layer.blob_digest, layer.media_type, layer.compressed_size_bytes
FROM manifest_layer
JOIN layer ON layer.id = manifest_layer.layer_id
WHERE manifest_layer.manifest_id = @manifest_id
ORDER BY manifest_layer.position;

-- name: SelectImageDetails :one
-- :read
-- Everything `msb image inspect` shows of one reference: its manifest and its config.
SELECT image_ref.reference, image_ref.created_at, manifest.id AS manifest_id, manifest.digest,
  manifest.media_type, manifest.config_digest, manifest.architecture, manifest.os, manifest.layer_count,
  manifest.total_size_bytes, config.env, config.cmd, config.entrypoint, config.working_dir, config.user,
  config.labels, config.stop_signal
FROM image_ref
JOIN manifest ON manifest.id = image_ref.manifest_id
LEFT JOIN config ON config.manifest_id = manifest.id
WHERE image_ref.reference = @reference;
