package org.fairgrove.pipeline.validate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.when;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.rendering.PDFRenderer;
import org.apache.pdfbox.text.PDFTextStripper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.FairgroveError;
import org.fairgrove.pipeline.lakehouse.Lakehouse;
import org.fairgrove.pipeline.lakehouse.Tables;
import org.fairgrove.pipeline.testing.KnownRiskPopulation;
import org.fairgrove.pipeline.testing.ReportSchema;
import org.fairgrove.pipeline.testing.SparkTestSession;
import org.fairgrove.pipeline.score.Scoring;
import org.fairgrove.pipeline.train.OperatingPoints;
import org.fairgrove.pipeline.train.Registry;
import org.fairgrove.pipeline.train.Trainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * `fairgrove validate` end to end on synthetic feature tables with a known risk model
 * (label ~ Bernoulli(sigmoid(-2 + 1.5 x1 + x2)), attributes independent of the risk), one task
 * per scenario in one gold.features:
 *
 * <ul>
 *   <li>fair: nothing injected; sites S1 and S2 give train/validation/test, S3 is external;
 *   <li>biased: the same rows, with half of the Black persons' events unrecorded (under-diagnosis);
 *   <li>tiny: fair plus deliberately tiny groups (a race group and a payer of a few persons each)
 *       and a tiny external site.
 * </ul>
 */
@ExtendWith(SparkTestSession.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Tag("e2e")
class ValidationReportTest {
  private static final int ROWS = 16_000;
  private static final Pattern SMALL_INTEGER = Pattern.compile("^([1-9]|10)$");
  @TempDir static Path dir;
  private final SparkSession spark;
  private final ObjectMapper json = new ObjectMapper();
  private final Map<String, ValidationRun.Result> validated = new HashMap<>();
  private FairgroveConfig config;
  private Lakehouse lakehouse;

  ValidationReportTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void writeFeatures() {
    config = SparkTestSession.testConfig(dir, "task.id=fair",
        "task.description=\"Onset of the outcome within a year (synthetic)\"",
        "task.train.recalibrate=true", "task.train.rounds=40",
        "task.train.early-stopping-rounds=10", "task.train.search.trials=1",
        "governance.bootstrap-replicates=200");
    lakehouse = new Lakehouse(spark, config.lakehouse.root());
    Dataset<Row> base = KnownRiskPopulation.rows(spark, ROWS);
    Dataset<Row> fair = base.withColumn("task_id", lit("fair"));
    // Under-diagnosis: half of the Black persons' events are never recorded, in every split.
    Dataset<Row> biased = base.withColumn("task_id", lit("biased"))
        .withColumn("label", when(col("race").equalTo("Black").and(rand(31).lt(0.5)), 0)
            .otherwise(col("label")));
    Dataset<Row> tiny = base.withColumn("task_id", lit("tiny"))
        .withColumn("race", when(col("id").mod(1000).equalTo(7), "NHPI").otherwise(col("race")))
        .withColumn("payer", when(col("id").mod(300).equalTo(5), "Other")
            .otherwise(col("payer")))
        // A small external site: 20 rows, so the whole set is below the small-cell threshold.
        .filter(col("site_id").notEqual("S3").or(col("id").mod(800).equalTo(19)));
    Dataset<Row> all = fair.unionByName(biased).unionByName(tiny);
    for (String task : List.of("fair", "biased", "tiny")) {
      KnownRiskPopulation.write(spark, lakehouse, task, all.filter(col("task_id").equalTo(task)),
          List.of("x1", "x2", "x3"), "dictionary-a");
    }
  }

  /** Trains the task's model, promotes it and validates the champion (once per task). */
  private ValidationRun.Result validate(String task) {
    return validated.computeIfAbsent(task, t -> {
      FairgroveConfig taskConfig = config.with(List.of("task.id=" + t));
      Trainer.Result trained = Trainer.train(spark, taskConfig);
      new Registry(spark, lakehouse).promote(trained.modelId());
      return ValidationRun.run(spark, taskConfig, trained.modelId());
    });
  }

  private Path output(ValidationRun.Result result, String name) {
    return result.paths().stream().map(p -> Path.of(p.replace("file:", "")))
        .filter(p -> p.getFileName().toString().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void writesASchemaValidReportHtmlPdfModelCardAndTheMetricsTable() throws Exception {
    ValidationRun.Result result = validate("fair");
    Path folder = dir.resolve("reports").resolve("fair").resolve(result.modelId());
    for (String name : List.of("report.json", "report.html", "report.pdf", "model-card.md")) {
      assertThat(folder.resolve(name)).isRegularFile();
      assertThat(output(result, name)).isEqualTo(folder.resolve(name));
    }

    JsonNode report = json.readTree(folder.resolve("report.json").toFile());
    assertThat(ReportSchema.errors(report)).isEmpty();
    assertThat(report.path("evaluation_sets")).extracting(s -> s.path("name").asText())
        .containsExactly("test", "external:S3");
    JsonNode overall = slice(report, "test", "overall", "all");
    assertThat(overall.path("auroc").asDouble()).isBetween(0.75, 0.9);
    assertThat(report.path("model").path("protected_attributes_as_inputs").asBoolean(true))
        .isFalse();
    assertThat(report.path("decision").asText()).isEqualTo(result.decision().label());
    assertThat(report.path("rule").asText()).contains("Holm", "review", "pass",
        "insufficient data");
    // Every chart has something to draw: a ROC curve with interior points, calibration points
    // and the smoothed fit, a decision curve, and the operating points on them.
    JsonNode curve = report.path("evaluation_sets").get(0).path("curves").get(0);
    assertThat(curve.path("attribute").asText()).isEqualTo("overall");
    assertThat(curve.path("roc").size()).isGreaterThan(10);
    assertThat(curve.path("calibration").size()).isGreaterThanOrEqualTo(5);
    assertThat(curve.path("smooth_calibration").size()).isPositive();
    assertThat(curve.path("net_benefit").size()).isGreaterThan(10);
    // Top 1% of about 4,000 rows at 20% prevalence has fewer than 11 non-events: withheld.
    assertThat(curve.path("operating_points")).extracting(p -> p.path("label").asText())
        .containsExactly("top 5%", "top 10%");

    String html = Files.readString(folder.resolve("report.html"));
    assertThat(html).doesNotContainPattern("(?i)(src|href)\\s*=\\s*[\"']?\\s*https?:");
    assertThat(html).doesNotContainPattern("(?i)<(link|script|img)\\b");
    assertThat(html).contains("<svg");

    String pdfText;
    String firstPage;
    try (PDDocument pdf = PDDocument.load(folder.resolve("report.pdf").toFile())) {
      pdfText = new PDFTextStripper().getText(pdf);
      PDFTextStripper first = new PDFTextStripper();
      first.setStartPage(1);
      first.setEndPage(1);
      firstPage = first.getText(pdf);
      renderPages(pdf, "fair");
    }
    // The first page says what to decide, with the headline figures of every set.
    assertThat(firstPage).contains("what to decide", result.decision().label()
            .toUpperCase(java.util.Locale.ROOT), "Rule.", "Headline figures",
        "Internal validation", "External validation: site S3");
    // Beside the page images, for a person to read.
    for (String name : List.of("report.html", "model-card.md")) {
      Files.copy(folder.resolve(name), Path.of("target", "report-pages", "fair-" + name),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    assertThat(pdfText).contains("Does it work outside the data it was built on?",
        "Development data and representativeness", "Performance, calibration and verdict by"
        + " slice", "Gaps against the reference group", "At the operating points",
        "ROC, calibration and decision curves", "Methods");

    String card = Files.readString(folder.resolve("model-card.md"));
    assertThat(card).contains("## Intended use and users", "## Development data and its"
        + " representativeness", "## Fairness approach", "## Internal, external and temporal"
        + " validation", "## Known limitations", "## Maintenance and update process",
        "**Protected attributes as inputs:** no", "**Governance decision:");

    Dataset<Row> metrics = lakehouse.read(Tables.OPS_VALIDATION_METRICS)
        .filter(col("run_id").equalTo(result.runId()));
    assertThat(metrics.select("evaluation_set").distinct().count()).isEqualTo(2);
    assertThat(metrics.filter("metric = 'auroc' AND slice_attribute = 'overall'"
        + " AND evaluation_set = 'test'").first().<Double>getAs("value"))
        .isEqualTo(overall.path("auroc").asDouble());
    assertThat(metrics.filter("slice_attribute = 'race' AND status IS NULL").count()).isZero();
    assertThat(metrics.filter("metric LIKE 'check_%' AND verdict IS NULL").count()).isZero();
  }

  /**
   * The model validated again on the same rows: its trend has both runs, every slice's AUROC
   * the same at each (difference 0, so nothing dropped), and the report shows the section.
   */
  @Test
  void aModelValidatedAgainShowsItsTimeSeriesAndNoDropOnTheSameRows() throws Exception {
    ValidationRun.Result first = validate("fair");
    assertThat(first.report().trend().hasHistory()).isFalse();
    FairgroveConfig again = config.with(List.of("task.id=fair",
        "reports.dir=" + dir.resolve("reports-again")));
    ValidationRun.Result second = ValidationRun.run(spark, again, first.modelId());

    Trend trend = second.report().trend();
    assertThat(trend.runs()).extracting(Trend.Run::runId)
        .containsExactly(first.runId(), second.runId());
    assertThat(trend.drops()).isNotEmpty().allSatisfy(d -> {
      assertThat(d.difference()).isZero();
      assertThat(d.verdict()).isEqualTo(Verdict.PASS);
    });
    Trend.Series overall = trend.series().stream().filter(s -> s.set().equals("test")
        && s.slice().overall() && s.metric().equals("auroc")).findFirst().orElseThrow();
    double auroc = first.sets().get(0).metrics().stream().filter(m -> m.slice().overall()
        && m.metric().equals("auroc")).findFirst().orElseThrow().value();
    assertThat(overall.points()).extracting(Trend.Estimate::value).containsExactly(auroc, auroc);
    assertThat(second.decision()).isEqualTo(first.decision());

    JsonNode report = json.readTree(output(second, "report.json").toFile());
    assertThat(ReportSchema.errors(report)).isEmpty();
    assertThat(report.path("trend").path("runs")).hasSize(2);
    assertThat(Files.readString(output(second, "report.html")))
        .contains("Overall AUROC by validation run");
    try (PDDocument pdf = PDDocument.load(output(second, "report.pdf").toFile())) {
      PDFTextStripper first1 = new PDFTextStripper();
      first1.setEndPage(1);
      assertThat(first1.getText(pdf)).contains("Over time",
          "no AUROC drop beyond the margin");
      assertThat(new PDFTextStripper().getText(pdf)).contains(
          "Over time: this model's validations", "Overall figures by run");
      renderPages(pdf, "fair-again");
    }
  }

  @Test
  void operatingPointsAreSelectionRatesSetOnTheValidationSplitAndFrozen() throws Exception {
    ValidationRun.Result result = validate("fair");
    JsonNode report = json.readTree(output(result, "report.json").toFile());
    List<OperatingPoints.Point> frozen = new Registry(spark, lakehouse).get(result.modelId())
        .points();
    assertThat(frozen).extracting(OperatingPoints.Point::label)
        .containsExactly("top 1%", "top 5%", "top 10%");
    assertThat(report.path("operating_points")).extracting(p -> p.path("threshold").asDouble())
        .containsExactlyElementsOf(frozen.stream().map(OperatingPoints.Point::threshold)
            .toList());
    // Counted independently on the validation split: at the frozen threshold at least the
    // share is selected, and above it fewer.
    Dataset<Row> validation = Scoring.predict(new Registry(spark, lakehouse)
        .get(result.modelId()), lakehouse.read(Tables.GOLD_FEATURES)
        .filter("task_id = 'fair' AND split = 'validation'")).cache();
    long n = validation.count();
    for (OperatingPoints.Point p : frozen) {
      long atOrAbove = validation.filter(col("risk").geq(p.threshold())).count();
      long above = validation.filter(col("risk").gt(p.threshold())).count();
      assertThat((double) atOrAbove / n).as(p.label()).isGreaterThanOrEqualTo(p.value());
      assertThat((double) above / n).as(p.label()).isLessThan(p.value());
    }
    validation.unpersist();
  }

  @Test
  void theAuditTableHoldsEveryEvaluatedRowAndGivesTheReportsFiguresBack() throws Exception {
    ValidationRun.Result result = validate("fair");
    JsonNode report = json.readTree(output(result, "report.json").toFile());
    Dataset<Row> audit = lakehouse.read(Tables.GOLD_VALIDATION_PREDICTIONS)
        .filter(col("run_id").equalTo(result.runId()));
    for (JsonNode set : report.path("evaluation_sets")) {
      Dataset<Row> rows = audit.filter(col("evaluation_set").equalTo(set.path("name").asText()));
      JsonNode overall = slice(report, set.path("name").asText(), "overall", "all");
      assertThat(rows.count()).isEqualTo(overall.path("n").asLong());
      assertThat(Trainer.auroc(rows)).isCloseTo(overall.path("auroc").asDouble(),
          within(1e-9));
    }
    assertThat(audit.select("attributes").first().getJavaMap(0).keySet())
        .containsExactlyInAnyOrder("sex", "race", "ethnicity", "age_band", "site_id", "payer");
  }

  @Test
  void noSmallCountIsShownOrDerivableInAnyOutput() throws Exception {
    ValidationRun.Result result = validate("tiny");
    JsonNode report = json.readTree(output(result, "report.json").toFile());
    assertThat(ReportSchema.errors(report)).isEmpty();
    int threshold = report.path("policy").path("small_cell_threshold").asInt();
    assertThat(threshold).isEqualTo(11);
    // The fixture does have tiny groups, and they are withheld.
    assertThat(slice(report, "test", "race", "NHPI").path("suppressed").asBoolean()).isTrue();
    assertThat(slice(report, "test", "payer", "Other").path("suppressed").asBoolean()).isTrue();
    assertThat(slice(report, "external:S3", "overall", "all").path("n").isNull()).isTrue();

    List<String> leaks = new ArrayList<>();
    for (JsonNode set : report.path("evaluation_sets")) {
      leaks.addAll(derivableCounts(set, threshold));
    }
    JsonNode development = report.path("development");
    for (JsonNode r : report.path("representativeness")) {
      r.path("shares").fields().forEachRemaining(e -> {
        if (!e.getValue().isNull()) {
          double total = e.getKey().equals(ValidationRun.DEVELOPMENT)
              ? development.path("rows").asDouble()
              : slice(report, e.getKey(), "overall", "all").path("n").asDouble();
          checkCount(leaks, "share " + e.getKey() + " " + r.path("group").asText(),
              e.getValue().asDouble() * total);
        }
      });
    }
    assertThat(leaks).isEmpty();

    Path html = output(result, "report.html");
    String htmlText = Files.readString(html).replaceAll("(?s)<style.*?</style>", " ")
        .replaceAll("<[^>]+>", " ").replaceAll("&#?\\w+;", " ");
    String pdfText;
    try (PDDocument pdf = PDDocument.load(output(result, "report.pdf").toFile())) {
      pdfText = new PDFTextStripper().getText(pdf);
      renderPages(pdf, "tiny");
    }
    assertThat(smallIntegers(htmlText)).as("report.html").isEmpty();
    assertThat(smallIntegers(pdfText)).as("report.pdf").isEmpty();
    assertThat(smallIntegers(Files.readString(output(result, "model-card.md"))))
        .as("model-card.md").isEmpty();
    // The tiny race group is named among the groups too small to tell.
    assertThat(htmlText)
        .containsPattern("(?s)Groups too small to tell.*\\brace\\s+[^\\n]*\\bNHPI \\(");
    // A detectable gap is one short of chance (below the reference's AUROC - 0.5, itself below
    // 0.5); where not even that could be detected the report says none.
    List<String> noGap = new ArrayList<>();
    for (JsonNode set : report.path("evaluation_sets")) {
      for (JsonNode s : set.path("slices")) {
        JsonNode gap = s.path("minimum_detectable_auroc_gap");
        assertThat(gap.isMissingNode() || gap.isNull() || gap.asDouble() < 0.5)
            .as(set.path("name").asText() + " " + s.path("group").asText() + " " + gap).isTrue();
        if (gap.isNull() && s.path("status").asText().equals("insufficient_data")) {
          noGap.add(s.path("group").asText() + " (none)");
        }
      }
    }
    assertThat(noGap).isNotEmpty();
    assertThat(htmlText).contains(noGap);

    assertThat(lakehouse.read(Tables.OPS_VALIDATION_METRICS)
        .filter(col("run_id").equalTo(result.runId()))
        .filter("metric IN ('n', 'events') AND value >= 1 AND value < 11").count()).isZero();
  }

  @Test
  void underDiagnosisOfOneGroupIsFlaggedAndTheSameTableWithoutItIsNot() throws Exception {
    JsonNode biased = json.readTree(output(validate("biased"), "report.json").toFile());
    JsonNode fair = json.readTree(output(validate("fair"), "report.json").toFile());
    // The CLI's line counts the report's checks and the slices they fall in.
    assertThat(validate("biased").findingsSummary()).isEqualTo(findingsLine(biased));
    assertThat(validate("fair").findingsSummary()).isEqualTo(findingsLine(fair));
    JsonNode black = slice(biased, "test", "race", "Black");
    assertThat(black.path("status").asText()).isEqualTo("flag");
    assertThat(biased.path("decision").asText()).isEqualTo("flag");
    assertThat(biased.path("findings")).anySatisfy(f -> {
      assertThat(f.path("attribute").asText()).isEqualTo("race");
      assertThat(f.path("group").asText()).isEqualTo("Black");
      assertThat(f.path("check").asText()).isEqualTo("oe_ratio");
      assertThat(f.path("verdict").asText()).isEqualTo("flag");
      // Half the events unrecorded: O/E about one half, the whole CI below the limit.
      assertThat(f.path("estimate").asDouble()).isBetween(0.35, 0.7);
      assertThat(f.path("ci_high").asDouble()).isLessThan(0.8);
    });
    assertThat(slice(fair, "test", "race", "Black").path("status").asText())
        .isNotIn("flag", "review");
    assertThat(fair.path("findings")).noneSatisfy(f ->
        assertThat(f.path("verdict").asText()).isEqualTo("flag"));
  }

  /** The findings of report.json counted: checks, and the distinct slices they are in. */
  private static String findingsLine(JsonNode report) {
    int checks = report.path("findings").size();
    Set<String> slices = new HashSet<>();
    report.path("findings").forEach(f -> slices.add(f.path("evaluation_set").asText() + " "
        + f.path("attribute").asText() + "=" + f.path("group").asText()));
    return checks == 0 ? "no group beyond the policy limits"
        : checks + (checks == 1 ? " check" : " checks") + " in " + slices.size()
            + (slices.size() == 1 ? " slice" : " slices") + " flagged or for review";
  }

  @Test
  void aModelOfAnotherTaskIsAClearError() {
    String fairModel = validate("fair").modelId();
    assertThatThrownBy(() -> ValidationRun.run(spark,
        config.with(List.of("task.id=biased")), fairModel))
        .isInstanceOf(FairgroveError.class)
        .hasMessageContaining("was trained for task 'fair', not 'biased'");
  }

  private static JsonNode slice(JsonNode report, String set, String attribute, String group) {
    for (JsonNode s : report.path("evaluation_sets")) {
      if (s.path("name").asText().equals(set)) {
        for (JsonNode slice : s.path("slices")) {
          if (slice.path("attribute").asText().equals(attribute)
              && slice.path("group").asText().equals(group)) {
            return slice;
          }
        }
      }
    }
    throw new AssertionError("no slice " + set + " " + attribute + "=" + group);
  }

  /**
   * Counts shown or derivable in one evaluation set: n, events and non-events of each slice;
   * the confusion counts at each threshold (sensitivity x events, ...); and a group's n as the
   * overall n minus the other groups' when it alone is withheld.
   */
  private static List<String> derivableCounts(JsonNode set, int threshold) {
    List<String> leaks = new ArrayList<>();
    String name = set.path("name").asText();
    Map<String, Double> overallN = new HashMap<>();
    Map<String, List<JsonNode>> byAttribute = new HashMap<>();
    for (JsonNode s : set.path("slices")) {
      String label = name + " " + s.path("attribute").asText() + "=" + s.path("group").asText();
      if (!s.path("n").isNull() && !s.path("n").isMissingNode()) {
        double n = s.path("n").asDouble();
        checkCount(leaks, label + " n", n);
        if (!s.path("events").isNull()) {
          checkCount(leaks, label + " events", s.path("events").asDouble());
          checkCount(leaks, label + " non-events", n - s.path("events").asDouble());
        }
        if (!s.path("prevalence").isNull()) {
          checkCount(leaks, label + " prevalence x n", s.path("prevalence").asDouble() * n);
        }
      }
      if (s.path("attribute").asText().equals("overall")) {
        overallN.put("overall", s.path("n").isNull() ? Double.NaN : s.path("n").asDouble());
      } else if (!s.path("attribute").asText().contains(" x ")) {
        byAttribute.computeIfAbsent(s.path("attribute").asText(), a -> new ArrayList<>()).add(s);
      }
    }
    byAttribute.forEach((attribute, groups) -> {
      List<JsonNode> hidden = groups.stream().filter(g -> g.path("n").isNull()).toList();
      if (hidden.size() == 1 && overallN.get("overall") != null) {
        double shown = groups.stream().filter(g -> !g.path("n").isNull())
            .mapToDouble(g -> g.path("n").asDouble()).sum();
        checkCount(leaks, name + " " + attribute + " complement", overallN.get("overall")
            - shown);
      }
    });
    Map<String, Map<String, Double>> rates = new HashMap<>();
    Map<String, double[]> sizes = new HashMap<>();
    for (JsonNode m : set.path("metrics")) {
      String slice = m.path("attribute").asText() + "=" + m.path("group").asText();
      String metric = m.path("metric").asText();
      if (m.path("value").isNull()) {
        continue;
      }
      if ((metric.equals("n") || metric.equals("events")) && m.path("threshold").isNull()) {
        checkCount(leaks, name + " " + slice + " " + metric, m.path("value").asDouble());
        sizes.computeIfAbsent(slice, k -> new double[2])[metric.equals("n") ? 0 : 1] =
            m.path("value").asDouble();
      }
      if (!m.path("threshold").isNull() && m.path("reference").isNull()) {
        rates.computeIfAbsent(slice + "@" + m.path("threshold").asDouble(),
            k -> new HashMap<>()).put(metric, m.path("value").asDouble());
      }
    }
    // Each ROC point gives TP = sensitivity x events and FP = FPR x non-events, and neighbouring
    // points the persons between them.
    for (JsonNode curve : set.path("curves")) {
      double[] size = sizes.get(curve.path("attribute").asText() + "="
          + curve.path("group").asText());
      if (size == null) {
        continue;
      }
      double[] previous = {0, 0};
      for (JsonNode point : curve.path("roc")) {
        double fp = point.get(0).asDouble() * (size[0] - size[1]);
        double tp = point.get(1).asDouble() * size[1];
        String label = name + " ROC " + curve.path("group").asText();
        checkCount(leaks, label + " TP", tp);
        checkCount(leaks, label + " FP", fp);
        checkCount(leaks, label + " TP step", tp - previous[0]);
        checkCount(leaks, label + " FP step", fp - previous[1]);
        previous = new double[] {tp, fp};
      }
    }
    rates.forEach((key, r) -> {
      double[] size = sizes.get(key.substring(0, key.indexOf('@')));
      if (size == null || !r.containsKey("sensitivity") || !r.containsKey("specificity")) {
        return;
      }
      double tp = r.get("sensitivity") * size[1];
      double tn = r.get("specificity") * (size[0] - size[1]);
      checkCount(leaks, name + " " + key + " TP", tp);
      checkCount(leaks, name + " " + key + " FN", size[1] - tp);
      checkCount(leaks, name + " " + key + " TN", tn);
      checkCount(leaks, name + " " + key + " FP", size[0] - size[1] - tn);
    });
    return leaks;
  }

  private static void checkCount(List<String> leaks, String what, double value) {
    long count = Math.round(value);
    if (count >= 1 && count <= 10 && Math.abs(value - count) < 1e-6) {
      leaks.add(what + " = " + count);
    }
  }

  /**
   * Stand-alone integers 1 to 10 in a text: the report prints no such number except in a few
   * fixed phrases that are not counts (a regulation's name, the time at risk, page numbers).
   */
  static List<String> smallIntegers(String text) {
    // PDF text extraction may put a space inside a decimal where a table cell wraps ("0. 2").
    String cleaned = text.replaceAll("(\\d\\.)\\s+(\\d)", "$1$2").replace("HTI-1", " ")
        // Percentages are rates, not counts (derivableCounts checks what rates give back).
        .replaceAll("\\d+(\\.\\d+)?\\s*%", " ")
        .replaceAll("days \\d+ to \\d+ after the index date", " ")
        // When the report was generated: a timestamp, whose minutes can read "10".
        .replaceAll("\\d{4}-\\d{2}-\\d{2}T[0-9:.]+Z", " ")
        .replaceAll("page \\d+ of \\d+", " ");
    List<String> found = new ArrayList<>();
    Matcher tokens = Pattern.compile("[A-Za-z0-9.,]+").matcher(cleaned);
    while (tokens.find()) {
      String token = tokens.group().replaceAll("[.,]+$", "");
      if (SMALL_INTEGER.matcher(token).matches()) {
        int from = Math.max(0, tokens.start() - 40);
        int to = Math.min(cleaned.length(), tokens.end() + 40);
        found.add(cleaned.substring(from, to).replaceAll("\\s+", " "));
      }
    }
    return found;
  }

  /** Pages as PNG under target/report-pages/ for a person to look at. */
  private static void renderPages(PDDocument pdf, String name) throws IOException {
    Path out = Path.of("target", "report-pages");
    Files.createDirectories(out);
    PDFRenderer renderer = new PDFRenderer(pdf);
    for (int page = 0; page < pdf.getNumberOfPages(); page++) {
      BufferedImage image = renderer.renderImageWithDPI(page, 80);
      ImageIO.write(image, "png", out.resolve(name + "-page-" + (page + 1) + ".png").toFile());
    }
  }
}
