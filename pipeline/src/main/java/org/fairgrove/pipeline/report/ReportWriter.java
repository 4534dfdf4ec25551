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
   *
   * @param gate the promotion gate's decision on the model, null before (or without) one
   */
  public static List<String> write(SparkSession spark, String reportsDir,
      ValidationReport report, Gate.Result gate) {
    ObjectNode json = ReportJson.build(report, gate);
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    @SuppressWarnings("unchecked")
    Map<String, Object> content = mapper.convertValue(json, Map.class);
    String dir = Locations.child(reportsDir, report.task().id(), report.model().modelId());
    Map<String, Object> view = ReportView.of(content, report.policy());
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
