-- Databricks notebook source
-- MAGIC %md
-- MAGIC # Monitoring the champion over time
-- MAGIC Every validation run (the demo's, `fairgrove validate`, each nightly run) appends every
-- MAGIC metric of every slice to `ops.validation_metrics`, so each slice's AUROC, calibration and
-- MAGIC parity form a time series with 95% CIs; every promotion decision and the comparisons behind
-- MAGIC it are in `ops.promotion_decisions`, and each nightly run's stages in `ops.nightly_runs`.
-- MAGIC Small counts are already withheld in these tables (`suppressed = true`).

-- COMMAND ----------

-- Per-slice AUROC over the runs, with its DeLong 95% CI, for the task's models.
SELECT validated_at, model_id, evaluation_set, slice_attribute, slice_group,
       round(value, 3) AS auroc, round(ci_low, 3) AS ci_low, round(ci_high, 3) AS ci_high
FROM ops.validation_metrics
WHERE task_id = 't2d-1y' AND metric = 'auroc' AND NOT suppressed
ORDER BY slice_attribute, slice_group, evaluation_set, validated_at

-- COMMAND ----------

-- Calibration over the runs: observed/expected and the calibration slope per slice.
SELECT validated_at, model_id, evaluation_set, slice_attribute, slice_group, metric,
       round(value, 3) AS value, round(ci_low, 3) AS ci_low, round(ci_high, 3) AS ci_high
FROM ops.validation_metrics
WHERE task_id = 't2d-1y' AND metric IN ('oe_ratio', 'calibration_slope') AND NOT suppressed
ORDER BY slice_attribute, slice_group, metric, evaluation_set, validated_at

-- COMMAND ----------

-- Each slice's AUROC change since the model's first validation on the same evaluation set (the
-- report's "Over time" section tests it against governance.gate.auroc-margin).
WITH auroc AS (
  SELECT validated_at, model_id, evaluation_set, slice_attribute, slice_group, value,
         first_value(value) OVER (PARTITION BY model_id, evaluation_set, slice_attribute,
           slice_group ORDER BY validated_at) AS first_auroc
  FROM ops.validation_metrics
  WHERE task_id = 't2d-1y' AND metric = 'auroc' AND NOT suppressed)
SELECT validated_at, model_id, evaluation_set, slice_attribute, slice_group,
       round(first_auroc, 3) AS first_auroc, round(value, 3) AS auroc,
       round(value - first_auroc, 3) AS change_since_first
FROM auroc
ORDER BY model_id, evaluation_set, slice_attribute, slice_group, validated_at

-- COMMAND ----------

-- Parity over the runs: each group's rate ratio to its reference group at each operating point,
-- with its bootstrap 95% CI (null where small counts withhold it).
SELECT validated_at, model_id, evaluation_set, slice_attribute, slice_group, reference_group,
       operating_point, metric, round(value, 3) AS ratio, round(ci_low, 3) AS ci_low,
       round(ci_high, 3) AS ci_high
FROM ops.validation_metrics
WHERE task_id = 't2d-1y' AND operating_point IS NOT NULL
  AND metric IN ('demographic_parity_ratio', 'equal_opportunity_ratio', 'fpr_parity_ratio',
                 'predictive_parity_ratio')
ORDER BY slice_attribute, slice_group, metric, operating_point, evaluation_set, validated_at

-- COMMAND ----------

-- Policy verdicts per run: how many checks were flagged or for review, and where.
SELECT validated_at, model_id, evaluation_set, verdict, count(*) AS checks,
       concat_ws(', ', sort_array(collect_set(concat(slice_attribute, '=', slice_group))))
         AS slices
FROM ops.validation_metrics
WHERE task_id = 't2d-1y' AND metric LIKE 'check_%'
GROUP BY validated_at, model_id, evaluation_set, verdict
ORDER BY validated_at, evaluation_set, verdict

-- COMMAND ----------

-- Promotion decisions: what the gate decided, and how many comparisons passed, could not tell,
-- or failed (blocking ones first).
SELECT decided_at, challenger_model_id, champion_model_id, decision, criterion, outcome,
       count(*) AS comparisons, sum(CAST(blocks AS INT)) AS blocking
FROM ops.promotion_decisions
WHERE task_id = 't2d-1y'
GROUP BY decided_at, challenger_model_id, champion_model_id, decision, criterion, outcome
ORDER BY decided_at, blocking DESC, criterion, outcome
