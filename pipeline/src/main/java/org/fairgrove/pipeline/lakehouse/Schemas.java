package org.fairgrove.pipeline.lakehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Table contracts from schemas/ (shipped in the jar as fairgrove/schemas/NAME.ddl): Spark DDL,
 * plus the type VECTOR for Spark ML's vector, which DDL cannot name.
 */
public final class Schemas {
  private static final String DIR = "fairgrove/schemas/";
  /** "name VECTOR": a column declared with the ML vector type. */
  private static final Pattern VECTOR_COLUMN = Pattern.compile("(\\w+)\\s+VECTOR\\b");
  private static final Map<String, StructType> LOADED = new ConcurrentHashMap<>();
  private static final String BRONZE = "bronze/";
  private static final String LANDING = BRONZE + "landing";

  private Schemas() {}

  /** @param name e.g. "omop/person" */
  public static StructType load(String name) {
    StructType loaded = LOADED.get(name);
    if (loaded != null) {
      return loaded;
    }
    // Not computeIfAbsent: a bronze schema loads two others, and a map may not be updated from
    // inside its own computeIfAbsent (it fails at random, when the map grows).
    StructType schema = name.startsWith(BRONZE) && !name.equals(LANDING)
        ? bronze(name.substring(BRONZE.length())) : parse(name);
    StructType raced = LOADED.putIfAbsent(name, schema);
    return raced != null ? raced : schema;
  }

  /**
   * bronze/TABLE: silver/TABLE's columns that bronze/landing does not declare, made nullable,
   * then bronze/landing's.
   */
  private static StructType bronze(String table) {
    StructType landing = load(LANDING);
    List<String> landingNames = List.of(landing.fieldNames());
    List<StructField> fields = new ArrayList<>();
    for (StructField field : load("silver/" + table).fields()) {
      if (!landingNames.contains(field.name())) {
        fields.add(new StructField(field.name(), field.dataType(), true, field.metadata()));
      }
    }
    fields.addAll(List.of(landing.fields()));
    return new StructType(fields.toArray(StructField[]::new));
  }

  private static StructType parse(String name) {
    String resource = DIR + name + ".ddl";
    try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Schema " + resource + " is not on the classpath");
      }
      String ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(line -> !line.strip().startsWith("--"))
          .collect(Collectors.joining(" "));
      // Parsed as BINARY, then given the vector type: the column keeps its comment and nullability.
      List<String> vectors = new ArrayList<>();
      Matcher m = VECTOR_COLUMN.matcher(ddl);
      while (m.find()) {
        vectors.add(m.group(1));
      }
      StructType parsed = StructType.fromDDL(VECTOR_COLUMN.matcher(ddl).replaceAll("$1 BINARY"));
      StructField[] fields = parsed.fields();
      for (int i = 0; i < fields.length; i++) {
        if (vectors.contains(fields[i].name())) {
          fields[i] = new StructField(fields[i].name(), SQLDataTypes.VectorType(),
              fields[i].nullable(), fields[i].metadata());
        }
      }
      return new StructType(fields);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading " + resource + " failed", e);
    }
  }
}
