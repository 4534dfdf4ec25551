package org.fairgrove.pipeline.omop;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;

/**
 * Slicing attributes and their labels: the same labels in config (injected biases), the
 * synthetic population, cohorts and every fairness slice. Unmapped concepts become "Unknown"
 * (or "Other" for race) rather than disappearing.
 */
public final class Demographics {
  private Demographics() {}

  public static final Map<Integer, String> SEX =
      Map.of(Concepts.MALE, "M", Concepts.FEMALE, "F");
  public static final Map<Integer, String> RACE = Map.of(
      Concepts.RACE_WHITE, "White", Concepts.RACE_BLACK, "Black", Concepts.RACE_ASIAN, "Asian",
      Concepts.RACE_AIAN, "AIAN", Concepts.RACE_NHPI, "NHPI");
  public static final String RACE_OTHER = "Other";
  public static final Map<Integer, String> ETHNICITY =
      Map.of(Concepts.HISPANIC, "Hispanic", Concepts.NOT_HISPANIC, "NotHispanic");
  public static final String UNKNOWN = "Unknown";
  public static final List<String> PAYERS =
      List.of("Commercial", "Medicare", "Medicaid", "Uninsured");

  /** Age bands: lower bounds (inclusive) and labels; 90+ is one band (Safe Harbor). */
  public static final List<Integer> AGE_BAND_LOWER = List.of(0, 18, 45, 65, 75, 90);
  public static final List<String> AGE_BAND_LABELS =
      List.of("0-17", "18-44", "45-64", "65-74", "75-89", "90+");

  public static Column label(Column concept, Map<Integer, String> labels, String otherwise) {
    Column out = lit(otherwise);
    for (Map.Entry<Integer, String> e : labels.entrySet()) {
      out = when(concept.equalTo(e.getKey()), e.getValue()).otherwise(out);
    }
    return out;
  }

  public static Column sex(Column concept) {
    return label(concept, SEX, UNKNOWN);
  }

  public static Column race(Column concept) {
    return label(concept, RACE, RACE_OTHER);
  }

  public static Column ethnicity(Column concept) {
    return label(concept, ETHNICITY, UNKNOWN);
  }

  public static Column ageBand(Column age) {
    Column band = lit(AGE_BAND_LABELS.get(0));
    for (int i = 1; i < AGE_BAND_LOWER.size(); i++) {
      band = when(age.geq(AGE_BAND_LOWER.get(i)), AGE_BAND_LABELS.get(i)).otherwise(band);
    }
    return band;
  }

  /** The band an age falls in (the same rule as {@link #ageBand(Column)}). */
  public static String ageBand(int age) {
    String band = AGE_BAND_LABELS.get(0);
    for (int i = 1; i < AGE_BAND_LOWER.size(); i++) {
      if (age >= AGE_BAND_LOWER.get(i)) {
        band = AGE_BAND_LABELS.get(i);
      }
    }
    return band;
  }
}
