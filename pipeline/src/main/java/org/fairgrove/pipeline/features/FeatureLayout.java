package org.fairgrove.pipeline.features;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.fairgrove.pipeline.core.Hashing;
import org.fairgrove.pipeline.omop.Demographics;

/**
 * Which slot of the feature vector holds what: demographics first, then for each chosen concept
 * and each window its statistics. The same layout names the slots in gold.feature_dictionary.
 */
final class FeatureLayout implements Serializable {
  /** A chosen concept, with how many training persons had it and its most common codes. */
  record Concept(String domain, int conceptId, long persons, String sourceValue, String unit)
      implements Serializable {}

  /** One vector slot. */
  record Slot(int index, String name, String domain, String window, Integer conceptId,
      String statistic, String sourceValue, String unit) implements Serializable {}

  static final List<String> MEASUREMENT_STATISTICS =
      List.of("count", "latest", "min", "max", "mean", "slope_per_year", "days_since_last");
  static final List<String> EVENT_STATISTICS = List.of("present", "count");
  static final int ALL_PRIOR = Integer.MAX_VALUE;

  final int[] windows;
  final boolean protectedAttributesAsInputs;
  final List<Concept> concepts;
  final List<Slot> slots = new ArrayList<>();
  private final int[] conceptBase;
  private final Map<String, Integer> conceptIndex = new HashMap<>();
  final int raceBase;
  final int hispanicSlot;

  FeatureLayout(List<Integer> windowDays, boolean allPrior, boolean protectedAttributesAsInputs,
      List<Concept> concepts) {
    List<Integer> all = new ArrayList<>(windowDays);
    if (allPrior) {
      all.add(ALL_PRIOR);
    }
    this.windows = all.stream().mapToInt(Integer::intValue).toArray();
    this.protectedAttributesAsInputs = protectedAttributesAsInputs;
    this.concepts = List.copyOf(concepts);

    add("age_at_index", "demographic", null, null, "value", null, null);
    add("sex_female", "demographic", null, null, "indicator", null, null);
    if (protectedAttributesAsInputs) {
      raceBase = slots.size();
      for (String race : raceLabels()) {
        add("race_" + race, "demographic", null, null, "indicator", null, null);
      }
      hispanicSlot = slots.size();
      add("ethnicity_hispanic", "demographic", null, null, "indicator", null, null);
    } else {
      raceBase = -1;
      hispanicSlot = -1;
    }
    conceptBase = new int[concepts.size()];
    for (int c = 0; c < concepts.size(); c++) {
      Concept concept = concepts.get(c);
      conceptIndex.put(key(concept.domain(), concept.conceptId()), c);
      conceptBase[c] = slots.size();
      for (int window : windows) {
        for (String statistic : statistics(concept.domain())) {
          add(concept.domain() + "_" + concept.conceptId() + "_" + statistic + "_"
                  + windowLabel(window), concept.domain(), windowLabel(window),
              concept.conceptId(), statistic, concept.sourceValue(),
              "measurement".equals(concept.domain()) && !statistic.equals("count")
                  && !statistic.equals("days_since_last") ? concept.unit() : null);
        }
      }
    }
  }

  /**
   * The layout a stored dictionary describes (its slots in order), so features can be built
   * again in it: the concepts in slot order with their codes and units, the windows as named.
   */
  static FeatureLayout fromSlots(List<Slot> stored, boolean protectedAttributesAsInputs) {
    List<Integer> windows = new ArrayList<>();
    boolean allPrior = false;
    Map<String, Concept> concepts = new java.util.LinkedHashMap<>();
    for (Slot slot : stored) {
      if (slot.conceptId() == null) {
        continue;
      }
      if (slot.window().equals(windowLabel(ALL_PRIOR))) {
        allPrior = true;
      } else {
        int days = Integer.parseInt(slot.window().substring(0, slot.window().length() - 1));
        if (!windows.contains(days)) {
          windows.add(days);
        }
      }
      String key = key(slot.domain(), slot.conceptId());
      Concept known = concepts.get(key);
      String unit = known != null && known.unit() != null ? known.unit() : slot.unit();
      concepts.put(key, new Concept(slot.domain(), slot.conceptId(), 0, slot.sourceValue(),
          unit));
    }
    return new FeatureLayout(windows, allPrior, protectedAttributesAsInputs,
        new ArrayList<>(concepts.values()));
  }

  static List<String> raceLabels() {
    List<String> labels = new ArrayList<>(Demographics.RACE.values());
    labels.sort(null);
    labels.add(Demographics.RACE_OTHER);
    return labels;
  }

  static List<String> statistics(String domain) {
    return "measurement".equals(domain) ? MEASUREMENT_STATISTICS : EVENT_STATISTICS;
  }

  static String windowLabel(int window) {
    return window == ALL_PRIOR ? "all" : window + "d";
  }

  int size() {
    return slots.size();
  }

  /** The concept's position in {@link #concepts}, or -1 if it was not chosen. */
  int conceptIndex(String domain, int conceptId) {
    return conceptIndex.getOrDefault(key(domain, conceptId), -1);
  }

  /** The slot of a concept's statistic in a window (both given as positions). */
  int slot(int concept, int window, int statistic) {
    return conceptBase[concept]
        + window * statistics(concepts.get(concept).domain()).size() + statistic;
  }

  /** Identifies the layout: models check they are given the features they were trained on. */
  String hash() {
    StringBuilder names = new StringBuilder();
    slots.forEach(slot -> names.append(slot.name()).append('\n'));
    return Hashing.sha256(names.toString()).substring(0, 16);
  }

  private void add(String name, String domain, String window, Integer conceptId,
      String statistic, String sourceValue, String unit) {
    slots.add(new Slot(slots.size(), name, domain, window, conceptId, statistic, sourceValue,
        unit));
  }

  private static String key(String domain, int conceptId) {
    return domain + ":" + conceptId;
  }
}
