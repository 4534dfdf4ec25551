package org.fairgrove.pipeline.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/** report.json checked against schemas/report.schema.json, the published contract. */
public final class ReportSchema {
  private ReportSchema() {}

  public static Set<ValidationMessage> errors(JsonNode report) throws IOException {
    Path schemaFile = Path.of(System.getProperty("fairgrove.repo.root", ".."), "schemas",
        "report.schema.json");
    JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(Files.readString(schemaFile));
    return schema.validate(report);
  }
}
