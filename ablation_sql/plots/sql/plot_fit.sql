-- name: plot_fit
-- The least-squares line of y on x over the rows of the figure being drawn (the view
-- plot_rows: x, y as DOUBLE, finite), as the sums its 95 % band needs: n, the means, Sxx, Sxy,
-- Syy and the range of x. $log: x is fitted as log10(x).
-- param log: bool
WITH fitted AS (
    SELECT CASE WHEN $log THEN log10(x) ELSE x END AS x, y FROM plot_rows
)
SELECT regr_count(y, x) AS n, regr_avgx(y, x) AS mean_x, regr_avgy(y, x) AS mean_y,
       regr_sxx(y, x) AS sxx, regr_sxy(y, x) AS sxy, regr_syy(y, x) AS syy,
       min(x) AS low, max(x) AS high
FROM fitted
