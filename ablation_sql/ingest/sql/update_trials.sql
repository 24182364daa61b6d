-- name: update_trials
-- Trials read again in the ingest's process (ingest/read_again.py), each keeping its row: of the
-- columns a read sets, those whose value changed (/*assignments*/, each "column" =
-- list_extract($c<i>::<type>[], list_position($c0::VARCHAR[], trial_uid)), then a comma) and
-- ingested_at, from lists bound as $c0 (the trials' uids, /*uids*/), $c1, ..., so that the
-- checkpoint rewrites only the columns that changed (a row inserted anew would make it rewrite
-- every column, the wide config and metadata whole).
-- param experiment_id: str
-- param now: timestamp
UPDATE trials SET /*assignments*/ ingested_at = $now
WHERE experiment_id = $experiment_id AND list_contains(/*uids*/, trial_uid);
