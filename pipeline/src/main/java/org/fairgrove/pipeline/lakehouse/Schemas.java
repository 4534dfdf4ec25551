package org.fairgrove.pipeline.lakehouse;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.apache.spark.sql.types.StructType;

/** Table contracts from schemas/ (shipped in the jar as fairgrove/schemas/NAME.ddl). */
public final class Schemas {
  private static final String DIR = "fairgrove/schemas/";

  private Schemas() {}

  /** @param name e.g. "omop/person" */
  public static StructType load(String name) {
    String resource = DIR + name + ".ddl";
    try (InputStream in = Schemas.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("Schema " + resource + " is not on the classpath");
      }
      String ddl = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(line -> !line.strip().startsWith("--"))
          .collect(Collectors.joining(" "));
      return StructType.fromDDL(ddl);
    } catch (IOException e) {
      throw new UncheckedIOException("Reading " + resource + " failed", e);
    }
  }
}
