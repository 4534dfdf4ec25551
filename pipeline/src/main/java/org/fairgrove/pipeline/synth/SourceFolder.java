package org.fairgrove.pipeline.synth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.SynthSettings;
import org.fairgrove.pipeline.core.Errors;

/**
 * The source folder the population is written to. A run writes into a staging folder beside it
 * and swaps it in at the end, so a crashed run never leaves a half-written population that looks
 * complete; the manifest marks a folder as Fairgrove's own, which a later run may replace.
 */
final class SourceFolder {
  static final String MANIFEST = "_fairgrove_synth.json";
  private static final String SPARK_OUTPUT = "_spark";
  private static final Pattern PART_FILE = Pattern.compile("part-(\\d+)-.*?-c\\d+(\\..+)$");

  private final FileSystem fs;
  private final Path out;

  SourceFolder(SparkSession spark, String out) {
    this.out = new Path(out);
    try {
      this.fs = this.out.getFileSystem(spark.sparkContext().hadoopConfiguration());
    } catch (IOException e) {
      throw new UncheckedIOException("Opening " + out + " failed", e);
    }
  }

  /** Refuses to replace a folder that holds anything but a previous Fairgrove population. */
  void requireOwnedOrEmpty() {
    try {
      if (fs.exists(out) && fs.listStatus(out).length > 0 && !fs.exists(manifest(out))) {
        throw Errors.outputExists(out.toString(), "synth.out");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Checking " + out + " failed", e);
    }
  }

  /** An empty staging folder beside the output folder. */
  String startStaging() {
    Path staging = new Path(out.getParent(), out.getName() + ".staging");
    try {
      fs.delete(staging, true);
      fs.mkdirs(staging);
    } catch (IOException e) {
      throw new UncheckedIOException("Preparing " + staging + " failed", e);
    }
    return staging.toString();
  }

  String sparkOutput(String staging, String table, String site) {
    return new Path(new Path(new Path(staging, SPARK_OUTPUT), table), site).toString();
  }

  /**
   * Moves one site's Spark part files to {@code <site>/<table>/part-NNNNN.<ext>}, numbered in
   * partition order (which follows person order).
   */
  void moveParts(String sparkOutput, String staging, String site, String table) {
    moveParts(sparkOutput, new Path(new Path(staging, site), table),
        (part, extension) -> String.format("part-%05d%s", part, extension), table, site);
  }

  /**
   * Moves one site's Spark text parts of a FHIR resource type to
   * {@code <site>/<Type>.N.ndjson}, numbered from 1 in partition order, as Bulk Data names them.
   */
  void moveResourceParts(String sparkOutput, String staging, String site, String type) {
    moveParts(sparkOutput, new Path(staging, site),
        (part, extension) -> type + "." + (part + 1) + ".ndjson", type, site);
  }

  private void moveParts(String sparkOutput, Path target,
      BiFunction<Integer, String, String> name, String table, String site) {
    try {
      fs.mkdirs(target);
      List<FileStatus> parts = new ArrayList<>();
      for (FileStatus file : fs.listStatus(new Path(sparkOutput))) {
        if (PART_FILE.matcher(file.getPath().getName()).matches()) {
          parts.add(file);
        }
      }
      parts.sort(Comparator.comparing(file -> file.getPath().getName()));
      for (int i = 0; i < parts.size(); i++) {
        Matcher part = PART_FILE.matcher(parts.get(i).getPath().getName());
        part.matches();
        Path destination = new Path(target, name.apply(i, part.group(2)));
        if (!fs.rename(parts.get(i).getPath(), destination)) {
          throw new IOException("rename to " + destination + " was refused");
        }
      }
      fs.delete(new Path(sparkOutput), true);
    } catch (IOException e) {
      throw new UncheckedIOException("Arranging " + table + " of " + site + " failed", e);
    }
  }

  /** Removes what is left of Spark's output folders once every part file has moved. */
  void dropSparkOutput(String staging) {
    try {
      fs.delete(new Path(staging, SPARK_OUTPUT), true);
    } catch (IOException e) {
      throw new UncheckedIOException("Cleaning " + staging + " failed", e);
    }
  }

  void writeManifest(String staging, String fingerprint, PopulationPlan plan,
      SynthSettings synth, Map<String, Long> rows) {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("generator", SyntheticPopulation.GENERATOR_VERSION);
    root.put("fingerprint", fingerprint);
    root.put("persons", plan.persons());
    root.put("seed", plan.seed());
    root.put("format", synth.format().configName());
    root.put("start_date", synth.startDate().toString());
    root.put("end_date", synth.endDate().toString());
    root.put("as_of", synth.asOf().toString());
    if (synth.after() != null) {
      root.put("batch_after", synth.after().toString());
      root.put("corrections", synth.corrections());
    }
    root.put("biases", synth.biases().toString());
    ObjectNode sites = root.putObject("sites");
    plan.sites().forEach(site -> sites.putObject(site.id())
        .put("archetype", site.profile().archetype()).put("persons", site.persons()));
    ObjectNode tables = root.putObject("rows");
    rows.forEach(tables::put);
    try (OutputStream stream = fs.create(manifest(new Path(staging)), true)) {
      json.writeValue(stream, root);
    } catch (IOException e) {
      throw new UncheckedIOException("Writing the synth manifest failed", e);
    }
  }

  /** Replaces the output folder with the finished staging folder. */
  void publish(String staging) {
    try {
      fs.delete(out, true);
      fs.mkdirs(out.getParent());
      if (!fs.rename(new Path(staging), out)) {
        throw new IOException("rename of " + staging + " was refused");
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Publishing the population to " + out + " failed", e);
    }
  }

  /** Rows per table of the population in place, if it was generated with this fingerprint. */
  Optional<Map<String, Long>> manifestRows(String fingerprint) {
    try {
      Path manifest = manifest(out);
      if (!fs.exists(manifest)) {
        return Optional.empty();
      }
      JsonNode root;
      try (InputStream stream = fs.open(manifest)) {
        root = new ObjectMapper().readTree(stream);
      }
      if (!fingerprint.equals(root.path("fingerprint").asText())) {
        return Optional.empty();
      }
      Map<String, Long> rows = new LinkedHashMap<>();
      Iterator<Map.Entry<String, JsonNode>> tables = root.path("rows").fields();
      tables.forEachRemaining(table -> rows.put(table.getKey(), table.getValue().asLong()));
      return Optional.of(rows);
    } catch (IOException e) {
      // An unreadable manifest means the population cannot be trusted: regenerate it.
      return Optional.empty();
    }
  }

  private static Path manifest(Path folder) {
    return new Path(folder, MANIFEST);
  }
}
