package org.fairgrove.pipeline.features;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.mode;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.unix_date;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.fairgrove.pipeline.cohort.Splits;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.config.TaskSettings;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.core.Progress;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;

/**
 * Builds gold.features (one row per cohort row: its label, split, slicing attributes and a sparse
 * feature vector) and gold.feature_dictionary (what each slot holds and how often training rows
 * have it). Concepts are chosen on training rows only. Events are read twice in all: once to
 * choose concepts, once, grouped by person, to compute every window together.
 */
public final class Features {
  public static final String FEATURES_COLUMN = "features";
  public static final String DICTIONARY_HASH_COLUMN = "dictionary_hash";

  private Features() {}

  /** What a features build wrote. */
  public record Result(String taskId, long rows, int slots, String dictionaryHash) {}

  public static Result build(SparkSession spark, FairgroveConfig config) {
    TaskSettings task = config.task;
    String taskId = task.requireId();
    TaskSettings.Features settings = task.features();
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Progress.Stage stage = Progress.start("features " + taskId);

    Dataset<Row> cohort = cohort(lakehouse, taskId);
    if (settings.dictionary() == null
        && cohort.filter(col("split").equalTo(Splits.TRAIN)).isEmpty()) {
      throw Errors.noTrainingRows(taskId);
    }
    Dataset<Row> events = events(lakehouse, settings);
    FeatureLayout layout = settings.dictionary() != null
        ? storedLayout(lakehouse, taskId, settings.dictionary())
        : new FeatureLayout(settings.windowsDays(), settings.allPrior(),
            settings.protectedAttributesAsInputs(),
            chooseConcepts(cohort, events, settings, taskId));
    lakehouse.write(Tables.GOLD_FEATURES, compute(spark, cohort, events, layout, settings),
        taskId);

    Dataset<Row> written = lakehouse.read(Tables.GOLD_FEATURES)
        .filter(col("task_id").equalTo(taskId));
    if (settings.dictionary() == null) {
      writeDictionary(spark, lakehouse, taskId, layout, layout.hash(), written);
    }
    long rows = written.count();
    stage.done(rows);
    return new Result(taskId, rows, layout.size(), layout.hash());
  }

  /**
   * The features of the task's current cohort in a dictionary stored earlier, computed and not
   * written: how a model trained on other features (the champion) is validated on the rows of
   * gold.features.
   */
  public static Dataset<Row> inDictionary(SparkSession spark, FairgroveConfig config,
      String dictionaryHash) {
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    return inDictionary(spark, config, dictionaryHash,
        cohort(lakehouse, config.task.requireId()));
  }

  /**
   * The same for other index rows (person_id, index_date, age, sex, race, ethnicity and any
   * columns to carry), e.g. everyone under observation on a scoring date: their columns with
   * the feature vector and dictionary hash added.
   */
  public static Dataset<Row> inDictionary(SparkSession spark, FairgroveConfig config,
      String dictionaryHash, Dataset<Row> indexRows) {
    String taskId = config.task.requireId();
    Lakehouse lakehouse = new Lakehouse(spark, config.lakehouse.root());
    TaskSettings.Features settings = config.task.features();
    return compute(spark, indexRows, events(lakehouse, settings),
        storedLayout(lakehouse, taskId, dictionaryHash), settings);
  }

  private static Dataset<Row> cohort(Lakehouse lakehouse, String taskId) {
    return lakehouse.read(Tables.GOLD_COHORT).filter(col("task_id").equalTo(taskId));
  }

  private static Dataset<Row> events(Lakehouse lakehouse, TaskSettings.Features settings) {
    Dataset<Row> events = EventStream.read(lakehouse, settings.domains());
    if (events == null) {
      throw Errors.tableMissing(Tables.SILVER_CONDITION.toString(),
          lakehouse.location(Tables.SILVER_CONDITION), "fairgrove ingest");
    }
    return events.withColumn("event_day", unix_date(col("event_date")))
        .filter(col("concept_id").isNotNull().and(col("event_day").isNotNull()));
  }

  /** One features row per cohort row, in the layout's slots. */
  private static Dataset<Row> compute(SparkSession spark, Dataset<Row> cohort,
      Dataset<Row> events, FeatureLayout layout, TaskSettings.Features settings) {
    List<Row> chosen = new ArrayList<>();
    for (int c = 0; c < layout.concepts.size(); c++) {
      FeatureLayout.Concept concept = layout.concepts.get(c);
      chosen.add(RowFactory.create(concept.domain(), concept.conceptId(), c));
    }
    Dataset<Row> conceptIndex = spark.createDataFrame(chosen, new StructType()
        .add("domain", DataTypes.StringType).add("concept_id", DataTypes.IntegerType)
        .add("concept_index", DataTypes.IntegerType));
    Dataset<Row> keyedEvents = events.join(broadcast(conceptIndex), new String[] {"domain",
            "concept_id"})
        .select(col("person_id"), col("concept_index"), col("event_day"), col("value"));

    Dataset<Row> cohortRows = cohort.withColumn("index_day", unix_date(col("index_date")));
    List<String> cohortColumns = List.of(cohortRows.columns());
    StructType output = cohort.schema()
        .add(FEATURES_COLUMN, SQLDataTypes.VectorType(), false)
        .add(DICTIONARY_HASH_COLUMN, DataTypes.StringType, false);
    MapFunction<Row, Long> byPerson = row -> row.getLong(row.fieldIndex("person_id"));
    return keyedEvents.groupByKey(byPerson, Encoders.LONG())
        .cogroup(cohortRows.groupByKey(byPerson, Encoders.LONG()),
            new PersonFeatures(layout, settings.endDay(), layout.hash(), cohortColumns,
                output.size()),
            Encoders.row(output));
  }

  /**
   * The layout of a dictionary stored earlier (task.features.dictionary), e.g. the champion's,
   * so a model can be scored and validated on newer data in the features it was trained on.
   */
  private static FeatureLayout storedLayout(Lakehouse lakehouse, String taskId, String hash) {
    List<Row> rows = lakehouse.exists(Tables.GOLD_FEATURE_DICTIONARY)
        ? lakehouse.read(Tables.GOLD_FEATURE_DICTIONARY).filter(col("task_id").equalTo(taskId)
            .and(col(DICTIONARY_HASH_COLUMN).equalTo(hash))).orderBy("slot").collectAsList()
        : List.of();
    if (rows.isEmpty()) {
      throw Errors.dictionaryNotFound(taskId, hash);
    }
    List<FeatureLayout.Slot> slots = new ArrayList<>();
    for (Row r : rows) {
      slots.add(new FeatureLayout.Slot(r.getAs("slot"), r.getAs("name"), r.getAs("domain"),
          r.getAs("window"), r.getAs("concept_id"), r.getAs("statistic"),
          r.getAs("source_value"), r.getAs("unit")));
    }
    Boolean protectedInputs = rows.get(0).getAs("protected_attributes_as_inputs");
    FeatureLayout layout = FeatureLayout.fromSlots(slots, Boolean.TRUE.equals(protectedInputs));
    if (!layout.hash().equals(hash)) {
      throw new IllegalStateException("The stored dictionary " + hash + " of task " + taskId
          + " rebuilds as " + layout.hash());
    }
    return layout;
  }

  /** Each slot's feature name in one of the task's dictionaries, by slot. */
  public static Map<Integer, String> slotNames(Lakehouse lakehouse, String taskId,
      String dictionaryHash) {
    Map<Integer, String> names = new HashMap<>();
    lakehouse.read(Tables.GOLD_FEATURE_DICTIONARY).filter(col("task_id").equalTo(taskId)
            .and(col(DICTIONARY_HASH_COLUMN).equalTo(dictionaryHash)))
        .select("slot", "name").collectAsList()
        .forEach(row -> names.put(row.getInt(0), row.getString(1)));
    return names;
  }

  /** Events of the task's feature domains, the input a features build reads (for benchmarks). */
  public static long eventCount(SparkSession spark, FairgroveConfig config) {
    Dataset<Row> events = EventStream.read(new Lakehouse(spark, config.lakehouse.root()),
        config.task.features().domains());
    return events == null ? 0 : events.count();
  }

  /**
   * Concepts seen before index in at least min-persons training persons, the most frequent
   * top-k per domain. Only training rows vote, so held-out data never shapes the features.
   */
  private static List<FeatureLayout.Concept> chooseConcepts(Dataset<Row> cohort,
      Dataset<Row> events, TaskSettings.Features settings, String taskId) {
    Dataset<Row> trainingPersons = cohort.filter(col("split").equalTo(Splits.TRAIN))
        .groupBy("person_id").agg(max("index_date").as("last_index_date"));
    List<Row> counted = events.join(trainingPersons, "person_id")
        .filter(col("event_date").leq(date_add(col("last_index_date"), settings.endDay())))
        .groupBy("domain", "concept_id")
        .agg(countDistinct("person_id").as("persons"),
            mode(col("source_value"), true).as("source_value"),
            mode(col("unit"), true).as("unit"))
        .filter(col("persons").geq(settings.minPersons()))
        .withColumn("rank", row_number().over(Window.partitionBy("domain")
            .orderBy(col("persons").desc(), col("concept_id").asc())))
        .filter(col("rank").leq(settings.topKPerDomain()))
        .collectAsList();
    List<FeatureLayout.Concept> concepts = new ArrayList<>();
    for (Row row : counted) {
      concepts.add(new FeatureLayout.Concept(row.getString(0), row.getInt(1), row.getLong(2),
          row.getString(3), row.getString(4)));
    }
    Map<String, Integer> domainOrder = new HashMap<>();
    for (int i = 0; i < settings.domains().size(); i++) {
      domainOrder.put(settings.domains().get(i), i);
    }
    concepts.sort(Comparator.comparing((FeatureLayout.Concept c) -> domainOrder.get(c.domain()))
        .thenComparing(FeatureLayout.Concept::persons, Comparator.reverseOrder())
        .thenComparing(FeatureLayout.Concept::conceptId));
    return concepts;
  }

  /** One row per slot, with the share of training rows that have a value there. */
  private static void writeDictionary(SparkSession spark, Lakehouse lakehouse, String taskId,
      FeatureLayout layout, String hash, Dataset<Row> features) {
    Dataset<Row> training = features.filter(col("split").equalTo(Splits.TRAIN))
        .select(FEATURES_COLUMN);
    long trainingRows = training.count();
    Map<Integer, Long> present = new HashMap<>();
    training.mapPartitions(new SlotCounts(layout.size()),
            Encoders.tuple(Encoders.INT(), Encoders.LONG()))
        .toDF("slot", "rows").groupBy("slot").sum("rows").collectAsList()
        .forEach(row -> present.put(row.getInt(0), row.getLong(1)));

    List<Row> rows = new ArrayList<>();
    for (FeatureLayout.Slot slot : layout.slots) {
      double coverage = trainingRows == 0 ? 0 : present.getOrDefault(slot.index(), 0L)
          / (double) trainingRows;
      rows.add(RowFactory.create(taskId, slot.index(), slot.name(), slot.domain(), slot.window(),
          slot.conceptId(), slot.statistic(), slot.sourceValue(), slot.unit(), coverage, hash,
          layout.protectedAttributesAsInputs));
    }
    StructType schema = new StructType()
        .add("task_id", DataTypes.StringType, false)
        .add("slot", DataTypes.IntegerType, false)
        .add("name", DataTypes.StringType, false)
        .add("domain", DataTypes.StringType, false)
        .add("window", DataTypes.StringType)
        .add("concept_id", DataTypes.IntegerType)
        .add("statistic", DataTypes.StringType, false)
        .add("source_value", DataTypes.StringType)
        .add("unit", DataTypes.StringType)
        .add("coverage", DataTypes.DoubleType, false)
        .add(DICTIONARY_HASH_COLUMN, DataTypes.StringType, false)
        .add("protected_attributes_as_inputs", DataTypes.BooleanType, false);
    lakehouse.write(Tables.GOLD_FEATURE_DICTIONARY, spark.createDataFrame(rows, schema), taskId,
        hash);
  }

  /** Per partition, how many rows have a (non-NaN) value in each slot. */
  private static final class SlotCounts
      implements MapPartitionsFunction<Row, scala.Tuple2<Integer, Long>> {
    private final int size;

    SlotCounts(int size) {
      this.size = size;
    }

    @Override
    public Iterator<scala.Tuple2<Integer, Long>> call(Iterator<Row> rows) {
      long[] counts = new long[size];
      while (rows.hasNext()) {
        Vector vector = rows.next().getAs(0);
        SparseVector sparse = vector.toSparse();
        int[] indices = sparse.indices();
        double[] values = sparse.values();
        for (int i = 0; i < indices.length; i++) {
          if (!Double.isNaN(values[i])) {
            counts[indices[i]]++;
          }
        }
      }
      List<scala.Tuple2<Integer, Long>> out = new ArrayList<>();
      for (int slot = 0; slot < size; slot++) {
        if (counts[slot] > 0) {
          out.add(new scala.Tuple2<>(slot, counts[slot]));
        }
      }
      return out.iterator();
    }
  }
}
