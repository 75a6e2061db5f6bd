-- Named volumes: a directory under $MSB_HOME/volumes with an optional quota.

-- name: InsertVolume :one
-- :write
INSERT INTO volume (name, quota_mib, labels)
VALUES (@name, @quota_mib, @labels)
RETURNING *;

-- name: SelectVolumeByName :one
-- :read
SELECT * FROM volume WHERE name = @name;

-- name: SelectVolumes :many
-- :read
-- :scan-ok lists every volume (msb volume ls), in name order
SELECT * FROM volume ORDER BY name;

-- name: DeleteVolume :execrows
-- :write
DELETE FROM volume WHERE id = @id;
