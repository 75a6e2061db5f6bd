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

-- name: SummarizeMetrics :many
-- :read
-- :scan-ok a whole-table aggregate by design, sent to the read pool
-- One line per sandbox over every stored sample: a whole-table aggregate, the kind of read a
-- long-running host sends to its read pool (DbPools.readPool) so that it does not stall its event loop.
SELECT sandbox_id,
       count(*) AS samples,
       avg(cpu_percent) AS avg_cpu_percent,
       max(memory_bytes) AS max_memory_bytes,
       max(sampled_at) AS last_sampled_at
FROM sandbox_metric
GROUP BY sandbox_id
ORDER BY sandbox_id;
