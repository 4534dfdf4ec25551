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
      return files.map(p -> folder + "/" + p.getFileName().toString().replace(".ddl", ""))
          .sorted().toList();
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
