-- name: plot_level_bins
-- Each level's values of the violin figure being drawn (the view plot_rows: level as text, y
-- as a finite DOUBLE) counted in $bins equal bins from its min to its max, each bin at its
-- centre: what the violins' kernel density is computed from.
-- param bins: int
WITH span AS (
    SELECT level, min(y) AS low, max(y) AS high FROM plot_rows GROUP BY level
)
SELECT r.level,
       coalesce(least(floor((r.y - s.low) / nullif(s.high - s.low, 0) * $bins), $bins - 1), 0)
           AS bin,
       s.low + (bin + 0.5) * (s.high - s.low) / $bins AS centre,
       count(*) AS n
FROM plot_rows r
JOIN span s ON s.level = r.level
GROUP BY ALL
ORDER BY r.level, bin
