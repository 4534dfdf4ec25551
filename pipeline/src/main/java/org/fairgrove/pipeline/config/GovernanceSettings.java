package org.fairgrove.pipeline.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.fairgrove.pipeline.core.Errors;

/**
 * Keys under {@code governance}: the policy that turns subgroup validation results into
 * verdicts, and what is sliced. The bootstrap seed is {@code run.seed} (see {@link RunSettings}).
 */
public record GovernanceSettings(
    int smallCellThreshold,
    double alpha,
    List<PolicyCheck> checks,
    List<Double> netBenefitThresholds,
    int bootstrapReplicates,
    double maxAurocGap,
    Range calibrationSlope,
    Range oeRatio,
    Range parityRatio,
    long minimumGroupSize,
    List<String> attributes,
    List<List<String>> intersections,
    Map<String, String> referenceGroups,
    GateSettings gate) {

  /** Separator of intersection names ("race x sex") and of their group labels ("Black x F"). */
  public static final String INTERSECTION = " x ";

  /** An inclusive acceptable range. */
  public record Range(double min, double max) {}

  /** Name of an intersection slice, e.g. "race x sex". */
  public static String intersectionName(List<String> attributes) {
    return String.join(INTERSECTION, attributes);
  }

  static GovernanceSettings read(ConfigReader c) {
    List<String> attributes = c.strings("governance.attributes");
    if (attributes.isEmpty() || new TreeSet<>(attributes).size() != attributes.size()) {
      throw Errors.invalidConfigValue("governance.attributes", c.origin("governance.attributes"),
          "The list is empty or names an attribute twice.",
          "a list of distinct column names, e.g. [\"sex\", \"race\"]");
    }
    List<List<String>> intersections = new ArrayList<>();
    for (String text : c.strings("governance.intersections")) {
      List<String> parts = List.of(text.split("\\s+x\\s+"));
      if (parts.size() < 2 || !attributes.containsAll(parts)
          || new TreeSet<>(parts).size() != parts.size()) {
        throw Errors.invalidConfigValue("governance.intersections",
            c.origin("governance.intersections"),
            "'" + text + "' is not two or more distinct attributes from governance.attributes"
                + " joined by \" x \".",
            "a list like [\"race x sex\"] naming attributes in " + attributes);
      }
      intersections.add(List.copyOf(parts));
    }
    double from = c.doubleIn("governance.net-benefit.from", 0.0, 0.99);
    double to = c.doubleIn("governance.net-benefit.to", 0.0, 0.99);
    double step = c.doubleIn("governance.net-benefit.step", 1e-4, 1.0);
    if (!(to > from)) {
      throw Errors.invalidConfigValue("governance.net-benefit.to",
          c.origin("governance.net-benefit.to"),
          "It must be above governance.net-benefit.from (" + from + ").",
          "a number above " + from + " and below 1");
    }
    List<Double> grid = new ArrayList<>();
    long steps = Math.round(Math.floor((to - from) / step + 1e-9));
    for (long i = 0; i <= steps; i++) {
      // Rounded so that 0.01 + 2 * 0.01 is the threshold 0.03 the user expects.
      grid.add(Math.round((from + i * step) * 1e9) / 1e9);
    }
    return new GovernanceSettings(
        c.intIn("governance.small-cell-threshold", 1, 1_000),
        c.doubleIn("governance.alpha", 1e-6, 0.5),
        c.choices("governance.checks", PolicyCheck.class),
        List.copyOf(grid),
        c.intIn("governance.bootstrap-replicates", 10, 100_000),
        c.doubleIn("governance.max-auroc-gap", 0.0, 1.0),
        range(c, "governance.calibration-slope"),
        range(c, "governance.oe-ratio"),
        range(c, "governance.parity-ratio"),
        c.longAtLeast("governance.minimum-group-size", 1),
        List.copyOf(attributes),
        List.copyOf(intersections),
        Map.copyOf(c.flatMap("governance.reference-groups")),
        GateSettings.read(c));
  }

  private static Range range(ConfigReader c, String key) {
    double min = c.doubleIn(key + ".min", 0.0, 100.0);
    double max = c.doubleIn(key + ".max", 0.0, 100.0);
    if (!(max > min)) {
      throw Errors.invalidConfigValue(key + ".max", c.origin(key + ".max"),
          "It must be above " + key + ".min (" + min + ").", "a number above " + min);
    }
    return new Range(min, max);
  }
}
