package org.fairgrove.pipeline.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.CoGroupFunction;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One person's feature vectors, one per cohort row: every window of every chosen concept from a
 * single sorted pass over the person's events. Only events on or before index + end day (end day
 * is -1 or earlier) are read at all, which is what makes the features leakage-proof.
 *
 * <p>Counts of zero are left out of the sparse vector; a measurement statistic with no value in
 * the window is an explicit NaN (missing, not zero).
 */
final class PersonFeatures implements CoGroupFunction<Long, Row, Row, Row> {
  private static final double DAYS_PER_YEAR = 365.25;

  private final FeatureLayout layout;
  private final int endDay;
  private final String dictionaryHash;
  /** Positions of index_day, age, sex, race and ethnicity in the cohort rows. */
  private final int indexDayField;
  private final int ageField;
  private final int sexField;
  private final int raceField;
  private final int ethnicityField;
  private final int outputFields;

  PersonFeatures(FeatureLayout layout, int endDay, String dictionaryHash, List<String> cohortColumns,
      int outputFields) {
    this.layout = layout;
    this.endDay = endDay;
    this.dictionaryHash = dictionaryHash;
    this.indexDayField = cohortColumns.indexOf("index_day");
    this.ageField = cohortColumns.indexOf("age");
    this.sexField = cohortColumns.indexOf("sex");
    this.raceField = cohortColumns.indexOf("race");
    this.ethnicityField = cohortColumns.indexOf("ethnicity");
    this.outputFields = outputFields;
  }

  /** @param events rows of (person_id, concept_index, event_day, value), any order */
  @Override
  public Iterator<Row> call(Long person, Iterator<Row> events, Iterator<Row> cohortRows) {
    if (!cohortRows.hasNext()) {
      return java.util.Collections.emptyIterator();
    }
    PersonEvents sorted = PersonEvents.of(events);
    Accumulators acc = new Accumulators(layout);
    List<Row> out = new ArrayList<>();
    while (cohortRows.hasNext()) {
      Row row = cohortRows.next();
      int indexDay = row.getInt(indexDayField);
      acc.reset();
      int lastDay = indexDay + endDay;
      for (int e = 0; e < sorted.size && sorted.day[e] <= lastDay; e++) {
        int daysBefore = indexDay - sorted.day[e];
        for (int w = layout.windows.length - 1; w >= 0 && daysBefore <= layout.windows[w]; w--) {
          acc.add(sorted.concept[e], w, sorted.day[e], sorted.value[e], indexDay);
        }
      }
      Object[] values = new Object[outputFields];
      for (int i = 0; i < outputFields - 2; i++) {
        values[i] = row.get(i);
      }
      values[outputFields - 2] = vector(row, acc, indexDay);
      values[outputFields - 1] = dictionaryHash;
      out.add(RowFactory.create(values));
    }
    return out.iterator();
  }

  private org.apache.spark.ml.linalg.Vector vector(Row row, Accumulators acc, int indexDay) {
    SparseBuilder vector = new SparseBuilder();
    vector.put(0, row.isNullAt(ageField) ? Double.NaN : row.getInt(ageField));
    String sex = row.getString(sexField);
    vector.put(1, "F".equals(sex) ? 1.0 : "M".equals(sex) ? 0.0 : Double.NaN);
    if (layout.protectedAttributesAsInputs) {
      int race = FeatureLayout.raceLabels().indexOf(row.getString(raceField));
      if (race >= 0) {
        vector.put(layout.raceBase + race, 1.0);
      }
      String ethnicity = row.getString(ethnicityField);
      vector.put(layout.hispanicSlot, "Hispanic".equals(ethnicity) ? 1.0
          : "NotHispanic".equals(ethnicity) ? 0.0 : Double.NaN);
    }
    acc.writeTo(vector, indexDay);
    return vector.build(layout.size());
  }

  /** A person's events sorted by day, then value, so "latest" is deterministic. */
  private static final class PersonEvents {
    int size;
    int[] day;
    int[] concept;
    double[] value;

    static PersonEvents of(Iterator<Row> rows) {
      List<long[]> keys = new ArrayList<>();
      List<Double> values = new ArrayList<>();
      while (rows.hasNext()) {
        Row row = rows.next();
        keys.add(new long[] {row.getInt(2), row.getInt(1), values.size()});
        values.add(row.isNullAt(3) ? Double.NaN : row.getDouble(3));
      }
      keys.sort((a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0])
          : Double.compare(values.get((int) a[2]), values.get((int) b[2])) != 0
              ? Double.compare(values.get((int) a[2]), values.get((int) b[2]))
              : Long.compare(a[1], b[1]));
      PersonEvents events = new PersonEvents();
      events.size = keys.size();
      events.day = new int[events.size];
      events.concept = new int[events.size];
      events.value = new double[events.size];
      for (int i = 0; i < events.size; i++) {
        long[] key = keys.get(i);
        events.day[i] = (int) key[0];
        events.concept[i] = (int) key[1];
        events.value[i] = values.get((int) key[2]);
      }
      return events;
    }
  }

  /** Per (concept, window) running statistics, reset between cohort rows. */
  private static final class Accumulators {
    private final FeatureLayout layout;
    private final int windowCount;
    private final double[] count;
    private final double[] valueCount;
    private final double[] min;
    private final double[] max;
    private final double[] sum;
    private final double[] latestValue;
    private final int[] latestDay;
    private final double[] sumT;
    private final double[] sumTT;
    private final double[] sumTV;
    private final boolean[] touched;
    private final int[] touchedList;
    private int touchedCount;
    private final int[] measurementConcepts;

    Accumulators(FeatureLayout layout) {
      this.layout = layout;
      this.windowCount = layout.windows.length;
      int cells = layout.concepts.size() * windowCount;
      count = new double[cells];
      valueCount = new double[cells];
      min = new double[cells];
      max = new double[cells];
      sum = new double[cells];
      latestValue = new double[cells];
      latestDay = new int[cells];
      sumT = new double[cells];
      sumTT = new double[cells];
      sumTV = new double[cells];
      touched = new boolean[cells];
      touchedList = new int[cells];
      measurementConcepts = java.util.stream.IntStream.range(0, layout.concepts.size())
          .filter(c -> "measurement".equals(layout.concepts.get(c).domain())).toArray();
    }

    void reset() {
      for (int i = 0; i < touchedCount; i++) {
        int cell = touchedList[i];
        touched[cell] = false;
        count[cell] = 0;
        valueCount[cell] = 0;
        sum[cell] = 0;
        sumT[cell] = 0;
        sumTT[cell] = 0;
        sumTV[cell] = 0;
      }
      touchedCount = 0;
    }

    void add(int concept, int window, int day, double value, int indexDay) {
      int cell = concept * windowCount + window;
      if (!touched[cell]) {
        touched[cell] = true;
        touchedList[touchedCount++] = cell;
        min[cell] = Double.POSITIVE_INFINITY;
        max[cell] = Double.NEGATIVE_INFINITY;
        latestDay[cell] = Integer.MIN_VALUE;
        latestValue[cell] = Double.NaN;
      }
      count[cell]++;
      latestDay[cell] = Math.max(latestDay[cell], day);
      if (!Double.isNaN(value)) {
        double t = (day - indexDay) / DAYS_PER_YEAR;
        valueCount[cell]++;
        min[cell] = Math.min(min[cell], value);
        max[cell] = Math.max(max[cell], value);
        sum[cell] += value;
        latestValue[cell] = value;
        sumT[cell] += t;
        sumTT[cell] += t * t;
        sumTV[cell] += t * value;
      }
    }

    void writeTo(SparseBuilder vector, int indexDay) {
      for (int i = 0; i < touchedCount; i++) {
        int cell = touchedList[i];
        int concept = cell / windowCount;
        int window = cell % windowCount;
        if ("measurement".equals(layout.concepts.get(concept).domain())) {
          double n = valueCount[cell];
          vector.put(layout.slot(concept, window, 0), count[cell]);
          vector.put(layout.slot(concept, window, 1), n > 0 ? latestValue[cell] : Double.NaN);
          vector.put(layout.slot(concept, window, 2), n > 0 ? min[cell] : Double.NaN);
          vector.put(layout.slot(concept, window, 3), n > 0 ? max[cell] : Double.NaN);
          vector.put(layout.slot(concept, window, 4), n > 0 ? sum[cell] / n : Double.NaN);
          vector.put(layout.slot(concept, window, 5), slope(cell));
          vector.put(layout.slot(concept, window, 6), indexDay - latestDay[cell]);
        } else {
          vector.put(layout.slot(concept, window, 0), 1.0);
          vector.put(layout.slot(concept, window, 1), count[cell]);
        }
      }
      // A measurement never seen in a window: its statistics are missing, not zero.
      for (int concept : measurementConcepts) {
        for (int window = 0; window < windowCount; window++) {
          if (!touched[concept * windowCount + window]) {
            for (int statistic = 1; statistic < FeatureLayout.MEASUREMENT_STATISTICS.size();
                statistic++) {
              vector.put(layout.slot(concept, window, statistic), Double.NaN);
            }
          }
        }
      }
    }

    /** Least-squares slope of value against time, per year; missing below two time points. */
    private double slope(int cell) {
      double n = valueCount[cell];
      double denominator = n * sumTT[cell] - sumT[cell] * sumT[cell];
      if (n < 2 || Math.abs(denominator) < 1e-12) {
        return Double.NaN;
      }
      double sumV = sum[cell];
      return (n * sumTV[cell] - sumT[cell] * sumV) / denominator;
    }
  }

  /** Collects (slot, value) pairs in any order; zeros are left out, NaN is kept. */
  private static final class SparseBuilder {
    private int[] indices = new int[64];
    private double[] values = new double[64];
    private int size;

    void put(int index, double value) {
      if (value == 0.0) {
        return;
      }
      if (size == indices.length) {
        indices = Arrays.copyOf(indices, size * 2);
        values = Arrays.copyOf(values, size * 2);
      }
      indices[size] = index;
      values[size] = value;
      size++;
    }

    org.apache.spark.ml.linalg.Vector build(int dimension) {
      Integer[] order = new Integer[size];
      for (int i = 0; i < size; i++) {
        order[i] = i;
      }
      Arrays.sort(order, (a, b) -> Integer.compare(indices[a], indices[b]));
      int[] sortedIndices = new int[size];
      double[] sortedValues = new double[size];
      for (int i = 0; i < size; i++) {
        sortedIndices[i] = indices[order[i]];
        sortedValues[i] = values[order[i]];
      }
      return Vectors.sparse(dimension, sortedIndices, sortedValues);
    }
  }
}
