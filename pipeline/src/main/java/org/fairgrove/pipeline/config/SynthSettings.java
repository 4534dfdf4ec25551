package org.fairgrove.pipeline.config;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.fairgrove.pipeline.omop.Demographics;
import org.fairgrove.pipeline.core.Errors;

/**
 * Keys under {@code synth}: the synthetic OMOP-shaped population, and which of its records a
 * write releases: all known on {@code asOf}, or a batch of what changed since {@code after}
 * (null: a full release).
 */
public record SynthSettings(
    long persons, int sites, LocalDate startDate, LocalDate endDate, LocalDate asOf,
    LocalDate after, double corrections, Format format, String out, int partitions,
    List<Bias> biases) {

  /** What the population is written as, and the ingest source format that reads it. */
  public enum Format implements Choice {
    CSV("csv", "omop-csv"),
    PARQUET("parquet", "omop-parquet"),
    /** FHIR R4 Bulk Data: one NDJSON file set per resource type and site. */
    FHIR_NDJSON("fhir-ndjson", "fhir-ndjson");

    private final String configName;
    private final String sourceFormat;

    Format(String configName, String sourceFormat) {
      this.configName = configName;
      this.sourceFormat = sourceFormat;
    }

    @Override
    public String configName() {
      return configName;
    }

    /** The name of the ingest source format that reads this output. */
    public String sourceFormat() {
      return sourceFormat;
    }
  }

  /** One injected bias: who it affects and how strongly. */
  public record Bias(String kind, String attribute, String value, double strength) {
    public static final Set<String> KINDS =
        Set.of("under-diagnosis", "missing-labs", "fewer-visits", "coding-shift");
    public static final Set<String> ATTRIBUTES =
        Set.of("race", "ethnicity", "sex", "payer", "site", "age-band");
  }

  static SynthSettings read(ConfigReader c) {
    LocalDate start = c.date("synth.start-date");
    LocalDate end = c.date("synth.end-date");
    if (!end.isAfter(start.plusYears(2))) {
      throw Errors.invalidConfigValue("synth.end-date", c.origin("synth.end-date"),
          "The simulated history must span more than two years (start " + start + ").",
          "a date at least two years after synth.start-date");
    }
    LocalDate asOf = c.optionalDate("synth.as-of");
    if (asOf == null) {
      asOf = end;
    } else if (asOf.isBefore(start) || asOf.isAfter(end)) {
      throw Errors.invalidConfigValue("synth.as-of", c.origin("synth.as-of"),
          "The release day must fall within the simulated history (" + start + " to " + end
              + ").", "a date from synth.start-date to synth.end-date, or null for the end date");
    }
    LocalDate after = c.optionalDate("synth.after");
    if (after != null && (after.isBefore(start) || !after.isBefore(asOf))) {
      throw Errors.invalidConfigValue("synth.after", c.origin("synth.after"),
          "A batch holds what changed after an earlier release, so its day must fall from "
              + start + " to the day before synth.as-of (" + asOf + ").",
          "the as-of day of the release this batch follows, or null for a full release");
    }
    int sites = c.intIn("synth.sites", 1, 50);
    List<Bias> biases = new ArrayList<>();
    List<ConfigReader> entries = c.objects("synth.biases");
    for (int i = 0; i < entries.size(); i++) {
      ConfigReader b = entries.get(i);
      String key = "synth.biases[" + i + "]";
      for (String field : List.of("kind", "attribute", "value", "strength")) {
        if (!b.has(field)) {
          throw Errors.missingConfigValue(key + "." + field,
              "Each bias needs kind, attribute, value and strength.",
              "Add " + field + " to the bias, e.g. { kind = \"under-diagnosis\", attribute ="
                  + " \"race\", value = \"Black\", strength = 0.5 }.");
        }
      }
      String attribute = checkedOneOf(b, "attribute", key, Bias.ATTRIBUTES);
      biases.add(new Bias(
          checkedOneOf(b, "kind", key, Bias.KINDS),
          attribute,
          checkedOneOf(b, "value", key, groups(attribute, sites)),
          b.doubleIn("strength", 0.0, 1.0)));
    }
    return new SynthSettings(
        c.longAtLeast("synth.persons", 1),
        sites,
        start,
        end,
        asOf,
        after,
        c.doubleIn("synth.corrections", 0.0, 1.0),
        c.choice("synth.format", Format.class),
        Locations.resolve(c.requiredString("synth.out", "the output folder")),
        c.intIn("synth.partitions", 0, 100_000),
        List.copyOf(biases));
  }

  /** The group labels an attribute can take (the labels reports use). */
  static Set<String> groups(String attribute, int sites) {
    return switch (attribute) {
      case "race" -> union(Demographics.RACE.values(), List.of(Demographics.RACE_OTHER));
      case "ethnicity" -> Set.copyOf(Demographics.ETHNICITY.values());
      case "sex" -> Set.copyOf(Demographics.SEX.values());
      case "payer" -> Set.copyOf(Demographics.PAYERS);
      case "age-band" -> Set.copyOf(Demographics.AGE_BAND_LABELS);
      case "site" -> IntStream.rangeClosed(1, sites).mapToObj(i -> "S" + i)
          .collect(Collectors.toUnmodifiableSet());
      default -> throw new IllegalArgumentException(attribute);
    };
  }

  private static Set<String> union(Collection<String> a, Collection<String> b) {
    Set<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }

  private static String checkedOneOf(ConfigReader b, String field, String key, Set<String> allowed) {
    String value = b.string(field);
    if (!allowed.contains(value)) {
      throw Errors.invalidConfigValue(key + "." + field, b.origin(field),
          "'" + value + "' is not one of " + new TreeSet<>(allowed) + ".",
          "one of " + new TreeSet<>(allowed));
    }
    return value;
  }
}
