package org.fairgrove.pipeline.validate;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.train.OperatingPoints;

/**
 * Everything a governance report shows, already decided and small-cell protected: the report
 * package renders it and computes nothing.
 *
 * @param development what the model was developed on; null for predictions made elsewhere,
 *     whose development the report cannot describe
 * @param trend the model's validations over time, this one the latest
 */
public record ValidationReport(String runId, Instant generatedAt, Task task, Model model,
    Development development, GovernanceSettings policy, List<OperatingPoints.Point> points,
    List<EvaluatedSet> sets, List<Share> shares, Trend trend) {

  /** The prediction task as the report states it. */
  public record Task(String id, String description, int timeAtRiskStartDay,
      int timeAtRiskEndDay) {}

  /**
   * The model validated. For predictions made elsewhere, name, version and developer come from
   * the user and the engine, dictionary and features are unknown (null).
   *
   * @param thresholdsSetOn where selection-rate or sensitivity points became thresholds
   */
  public record Model(String modelId, String name, String version, String developer,
      String engine, String status, String codeVersion, String dictionaryHash,
      boolean recalibrated, Boolean protectedAttributesAsInputs,
      List<Map.Entry<String, Double>> topFeatures, boolean provided, String thresholdsSetOn) {}

  /** The development (training) data: size, index years, the AUROC recorded per split. */
  public record Development(long rows, long events, int[] years,
      Map<String, Double> trainingAuroc) {}

  /** One evaluation set's results and curves. */
  public record EvaluatedSet(String name, String split, String siteId, ValidationResult result,
      Map<SliceKey, Curves.SliceCurves> curves) {}

  /** An attribute group's share of one set, null where its count is withheld. */
  public record Share(String set, String attribute, String group, Double share) {}

  /**
   * The report's decision: flag if any check (or a drop since the first validation) is flagged,
   * else review if any is, else pass.
   */
  public Verdict decision() {
    Verdict decision = trend.decision();
    for (EvaluatedSet set : sets) {
      for (SliceVerdict v : set.result().verdicts()) {
        if (v.status() == Verdict.FLAG || v.status() == Verdict.REVIEW) {
          decision = decision.worse(v.status());
        }
      }
    }
    return decision;
  }
}
