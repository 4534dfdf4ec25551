-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Explore the Fairgrove lakehouse
-- MAGIC What the pipeline wrote for the demo task (t2d-1y): the cohort and its attrition, the
-- MAGIC features and their dictionary, the registered models and their scores. Every cell is plain
-- MAGIC Spark SQL over the tables `fairgrove sql` registers (schema.table); the tests run each cell
-- MAGIC against a demo lakehouse.

-- COMMAND ----------

-- Who was removed by which rule (small counts are suppressed in the table itself).
SELECT step, rule, persons_remaining, rows_remaining, persons_removed, rows_removed
FROM gold.cohort_attrition
WHERE task_id = 't2d-1y'
ORDER BY step

-- COMMAND ----------

-- Outcome rate by split: train, validation and test should be alike.
SELECT split, count(*) AS rows, round(avg(label), 4) AS outcome_rate
FROM gold.cohort
WHERE task_id = 't2d-1y'
GROUP BY split
ORDER BY split

-- COMMAND ----------

-- The most common features among training rows.
SELECT name, domain, `window`, statistic, round(coverage, 3) AS coverage
FROM gold.feature_dictionary
WHERE task_id = 't2d-1y' AND coverage > 0
ORDER BY coverage DESC, slot
LIMIT 20

-- COMMAND ----------

-- The registry: every model, its engine, status and AUROC per split.
SELECT model_id, engine, status, get_json_object(metrics, '$.auroc.test') AS test_auroc,
       round(training_seconds, 1) AS training_seconds
FROM registry.models
ORDER BY model_id

-- COMMAND ----------

-- What drives the champion: the features with the largest share of total gain.
SELECT i.feature, round(i.share, 4) AS gain_share
FROM registry.feature_importance i
JOIN registry.models m ON m.model_id = i.model_id AND m.status = 'champion'
ORDER BY i.share DESC
LIMIT 10

-- COMMAND ----------

-- Today's scores by age band: persons scored on the latest date, their mean risk and the share
-- above 1% (calibration against outcomes is the validation report's, on held-out rows).
SELECT age_band, count(*) AS persons, round(avg(risk), 4) AS mean_risk,
       round(avg(CASE WHEN risk > 0.01 THEN 1 ELSE 0 END), 4) AS share_above_1pct
FROM gold.predictions
WHERE as_of = (SELECT max(as_of) FROM gold.predictions)
GROUP BY age_band
HAVING count(*) >= 11
ORDER BY age_band
