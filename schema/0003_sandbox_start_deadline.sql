-- A sandbox is marked Running before its runtime starts, and "no run yet" reads as "still starting".
-- Without an end to that, a sandbox whose start was abandoned (the creating command killed between its
-- insert and the runtime's claim, or a runtime that died before inserting its run) stayed Running
-- forever and could not be removed. start_deadline is when its start is given up: the host sets it when
-- it marks the sandbox Running (its ready timeout plus a margin), and past it, with no Running run, the
-- reaper marks the sandbox Crashed. Rows from before this migration fall back to updated_at + 60 s.
ALTER TABLE sandbox ADD COLUMN start_deadline TEXT;
