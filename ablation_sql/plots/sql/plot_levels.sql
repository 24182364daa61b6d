-- name: plot_levels
-- Per level of the violin figure being drawn (the view plot_rows: level as text, y as a finite
-- DOUBLE): n, mean, sample std, the best value by $direction, min, max, the quartiles and the
-- whiskers' ends (the most extreme values within 1.5 interquartile ranges of the box, as
-- matplotlib's boxplot_stats).
-- param direction: str
WITH box AS (
    SELECT level, count(*) AS n, avg(y) AS mean, stddev_samp(y) AS std,
           CASE WHEN $direction = 'min' THEN min(y) ELSE max(y) END AS best,
           min(y) AS low, max(y) AS high,
           quantile_cont(y, 0.25) AS q1, median(y) AS q2, quantile_cont(y, 0.75) AS q3
    FROM plot_rows
    GROUP BY level
)
SELECT b.level, b.n, b.mean, b.std, b.best, b.low, b.high, b.q1, b.q2, b.q3,
       min(r.y) FILTER (WHERE r.y >= b.q1 - 1.5 * (b.q3 - b.q1)) AS whisker_low,
       max(r.y) FILTER (WHERE r.y <= b.q3 + 1.5 * (b.q3 - b.q1)) AS whisker_high
FROM box b
JOIN plot_rows r ON r.level = b.level
GROUP BY ALL
ORDER BY b.level
