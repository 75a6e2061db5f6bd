-- Samples written by each runtime's metrics sampler, read by the host for ls, inspect and metrics.

-- name: SelectLatestMetric :one
-- :read
SELECT * FROM sandbox_metric
WHERE sandbox_id = @sandbox_id
ORDER BY sampled_at DESC, id DESC
LIMIT 1;

-- name: ListMetricsOfSandbox :many
-- :read
SELECT * FROM sandbox_metric
WHERE sandbox_id = @sandbox_id
ORDER BY sampled_at DESC, id DESC
LIMIT @limit;
