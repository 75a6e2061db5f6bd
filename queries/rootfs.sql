-- The image pin of a sandbox: one sandbox_rootfs row per sandbox.

-- Pinning again replaces the pin; an unknown digest pins nothing (manifest_id NULL) but still records
-- that the sandbox wants an OCI root filesystem.
-- name: UpsertOciManifestPin :one
-- :write
INSERT INTO sandbox_rootfs (sandbox_id, manifest_id, mode)
VALUES (@sandbox_id, (SELECT id FROM manifest WHERE digest = @digest), 'Oci')
ON CONFLICT (sandbox_id) DO UPDATE
SET manifest_id = excluded.manifest_id, mode = excluded.mode
RETURNING id, sandbox_id, manifest_id, mode, created_at;

-- name: SelectSandboxRootfs :one
-- :read
SELECT id, sandbox_id, manifest_id, mode, created_at FROM sandbox_rootfs WHERE sandbox_id = @sandbox_id;

-- name: ListSandboxesPinningManifest :many
-- :read
-- :scan-ok sorts by name only the few sandboxes that pin one manifest
SELECT sandbox.name
FROM sandbox_rootfs
JOIN sandbox ON sandbox.id = sandbox_rootfs.sandbox_id
WHERE sandbox_rootfs.manifest_id = @manifest_id
ORDER BY sandbox.name;
