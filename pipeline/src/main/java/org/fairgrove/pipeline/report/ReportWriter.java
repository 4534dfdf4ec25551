package org.fairgrove.pipeline.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.openhtmltopdf.pdfboxout.PdfRendererBuilder;
import com.openhtmltopdf.svgsupport.BatikSVGDrawer;
import io.pebbletemplates.pebble.PebbleEngine;
import io.pebbletemplates.pebble.loader.ClasspathLoader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.GovernanceSettings;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.core.Errors;
import org.fairgrove.pipeline.gate.Gate;
import org.fairgrove.pipeline.validate.ValidationReport;


/**
 * Writes the governance report of one validation run: report.json (the content, schema in
 * schemas/report.schema.json) and, rendered from it, report.html, report.pdf and model-card.md.
 * It only renders: everything shown comes from the decided, small-cell-protected
 * {@link ValidationReport}, so no output can show a small count.
 */
public final class ReportWriter {
  private ReportWriter() {}

  /**
   * Writes report.json, report.html, report.pdf and model-card.md under
   * reportsDir/&lt;task&gt;/&lt;model id&gt;/ and returns their paths.
   */
  public static List<String> write(SparkSession spark, String reportsDir,
      ValidationReport report) {
    return save(spark, dir(reportsDir, report.task().id(), report.model().modelId()),
        ReportJson.build(report), report.policy());
  }

  /**
   * Adds the gate's decision to the model's latest report (its report.json read back) and renders
   * it again. The gate decides after the report is written, sometimes in another process (a
   * resumed nightly run, `fairgrove promote`), so it works from what the report holds.
   *
   * @return the paths written; none when the model has no report yet
   */
  public static List<String> addGate(SparkSession spark, String reportsDir, String taskId,
      Gate.Result gate, GovernanceSettings policy) {
    String dir = dir(reportsDir, taskId, gate.challengerId());
    Path json = new Path(Locations.child(dir, "report.json"));
    try {
      FileSystem fs = json.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(json)) {
        return List.of();
      }
      ObjectNode report;
      try (InputStream in = fs.open(json)) {
        report = (ObjectNode) new ObjectMapper().readTree(in);
      }
      ReportJson.setGate(report, gate, policy);
      return save(spark, dir, report, policy);
    } catch (IOException e) {
      throw Errors.reportNotWritten(dir, e.getMessage());
    }
  }

  private static String dir(String reportsDir, String taskId, String modelId) {
    return Locations.child(reportsDir, taskId, modelId);
  }

  /** report.json as given, and the HTML, PDF and model card rendered from it. */
  private static List<String> save(SparkSession spark, String dir, ObjectNode json,
      GovernanceSettings policy) {
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    @SuppressWarnings("unchecked")
    Map<String, Object> content = mapper.convertValue(json, Map.class);
    Map<String, Object> view = ReportView.of(content, policy);
    String html = render("report.html.peb", true, view);
    List<String> paths = new ArrayList<>();
    try {
      paths.add(save(spark, dir, "report.json", mapper.writeValueAsBytes(json)));
      paths.add(save(spark, dir, "report.html", html.getBytes(StandardCharsets.UTF_8)));
      paths.add(save(spark, dir, "report.pdf", pdf(html)));
      paths.add(save(spark, dir, "model-card.md", render("model-card.md.peb", false, view)
          .getBytes(StandardCharsets.UTF_8)));
    } catch (IOException e) {
      throw Errors.reportNotWritten(dir, e.getMessage());
    }
    return paths;
  }

  static String render(String template, boolean html, Map<String, Object> context) {
    PebbleEngine engine = new PebbleEngine.Builder().loader(loader()).autoEscaping(html)
        .newLineTrimming(false).strictVariables(false).build();
    StringWriter out = new StringWriter();
    try {
      engine.getTemplate(template).evaluate(out, context, Locale.ROOT);
    } catch (IOException e) {
      throw new IllegalStateException("report template " + template + " failed", e);
    }
    return out.toString();
  }

  private static ClasspathLoader loader() {
    ClasspathLoader loader = new ClasspathLoader(ReportWriter.class.getClassLoader());
    loader.setPrefix("fairgrove/report");
    return loader;
  }

  /** The PDF is the HTML itself, laid out for print by openhtmltopdf (SVG drawn by Batik). */
  static byte[] pdf(String html) throws IOException {
    PdfRendererLog.install();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PdfRendererBuilder builder = new PdfRendererBuilder();
    builder.useFastMode();
    builder.useSVGDrawer(new BatikSVGDrawer());
    builder.withHtmlContent(html, null);
    builder.toStream(out);
    builder.run();
    return out.toByteArray();
  }

  private static String save(SparkSession spark, String dir, String name, byte[] bytes)
      throws IOException {
    Path path = new Path(Locations.child(dir, name));
    FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
    try (FSDataOutputStream stream = fs.create(path, true)) {
      ((OutputStream) stream).write(bytes);
    }
    return path.toString();
  }
}
