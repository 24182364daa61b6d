-- name: update_trials
-- Trials read again in the ingest's process (ingest/read_again.py), each keeping its row: of the
-- columns a read sets, those whose value changed (/*assignments*/, each "column" = s."column",
-- then a comma) and ingested_at, from the lists bound as $c0, $c1, ... (/*columns*/, each
-- unnest($c<i>::<type>[]) AS "<name>", trial_uid first), so that the checkpoint rewrites only
-- the columns that changed (a row inserted anew would make it rewrite every column, the wide
-- config and metadata whole).
-- param experiment_id: str
-- param now: timestamp
UPDATE trials SET /*assignments*/ ingested_at = $now
FROM (SELECT /*columns*/) s
WHERE trials.experiment_id = $experiment_id AND trials.trial_uid = s.trial_uid;
