-- Indexes the query-plan gate of the code generator asked for (every query's plan is checked at
-- codegen time; see README, "Query plans").
--
-- image_ref rows are looked up by their manifest: DeleteManifest's ON DELETE CASCADE searched the whole
-- image_ref table under the write lock, and CountManifestUsers scanned it.
CREATE INDEX image_ref_manifest ON image_ref (manifest_id);

-- A sandbox's runs, newest first, whatever their status: SelectLatestRun and ListRunsOfSandbox read
-- them in this order instead of sorting them (run_sandbox_status_started has status in between).
CREATE INDEX run_sandbox_started ON run (sandbox_id, started_at);

-- Only the Running runs, of which there is about one per live sandbox: the reaper's ListActiveRuns, run
-- before every command, reads these instead of the whole run history.
CREATE INDEX run_running ON run (sandbox_id) WHERE status = 'Running';

-- Only the Running sandboxes: ListAbandonedStarts, also run by the reaper, reads these instead of every
-- sandbox ever created.
CREATE INDEX sandbox_running ON sandbox (id) WHERE status = 'Running';
