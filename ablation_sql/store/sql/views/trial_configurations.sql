-- name: trial_configurations
-- One row per trial with its configuration key, search space key, attributes and seed, seed
-- attributes found by name (trial_configuration with its defaults). (Static view.)
CREATE OR REPLACE VIEW trial_configurations AS
SELECT * FROM trial_configuration();
