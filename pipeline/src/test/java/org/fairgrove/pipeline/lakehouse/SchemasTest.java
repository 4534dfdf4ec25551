package org.fairgrove.pipeline.lakehouse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

class SchemasTest {
  private static final Path ROOT = Path.of("..", "schemas");

  private static List<String> contracts(String folder) throws IOException {
    try (Stream<Path> files = Files.list(ROOT.resolve(folder))) {
      return files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".ddl"))
          .map(n -> folder + "/" + n.replace(".ddl", "")).sorted().toList();
    }
  }

  @Test
  void everyContractParsesFromTheJarResources() throws IOException {
    for (String folder : List.of("omop", "silver", "truth")) {
      for (String name : contracts(folder)) {
        assertThat(Schemas.load(name).fields()).as(name).isNotEmpty();
      }
    }
    StructType person = Schemas.load("omop/person");
    assertThat(person.fieldNames()).startsWith("person_id", "gender_concept_id");
    assertThat(person.apply("person_id").nullable()).isFalse();
    assertThat(person.apply("month_of_birth").nullable()).isTrue();
  }

  @Test
  void bronzeIsSilversColumnsMadeNullableThenTheLandingColumns() throws Exception {
    List<String> tables = contracts("silver").stream().map(n -> n.substring("silver/".length()))
        .toList();
    StructType landing = Schemas.load("bronze/landing");
    // Loaded from several threads at once, as ingest's parallel tables do.
    var pool = java.util.concurrent.Executors.newFixedThreadPool(4);
    try {
      List<java.util.concurrent.Future<StructType>> loads = tables.stream()
          .map(t -> pool.submit(() -> Schemas.load("bronze/" + t))).toList();
      for (int i = 0; i < tables.size(); i++) {
        StructType bronze = loads.get(i).get();
        StructType silver = Schemas.load("silver/" + tables.get(i));
        List<String> landingNames = List.of(landing.fieldNames());
        List<String> values = java.util.Arrays.stream(silver.fieldNames())
            .filter(n -> !landingNames.contains(n)).toList();
        assertThat(bronze.fieldNames()).as(tables.get(i)).hasSize(values.size()
            + landingNames.size()).startsWith(values.toArray(String[]::new))
            .endsWith(landing.fieldNames());
        assertThat(values).allSatisfy(n -> assertThat(bronze.apply(n).nullable()).isTrue());
      }
    } finally {
      pool.shutdown();
    }
  }

  @Test
  void silverCarriesSiteAndLineageAndAnIdentifierClassOnEveryColumn() throws IOException {
    List<String> classes = List.of("pseudonym", "quasi-identifier", "date", "free text", "none");
    for (String name : contracts("silver")) {
      StructType schema = Schemas.load(name);
      assertThat(schema.fieldNames()).as(name)
          .contains("person_id", "site_id", "source_batch_id", "source_file");
      for (StructField field : schema.fields()) {
        String comment = field.getComment().getOrElse(() -> "");
        assertThat(classes).as(name + "." + field.name() + " comment '" + comment + "'")
            .anyMatch(comment::startsWith);
      }
    }
  }
}
