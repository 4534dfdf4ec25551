package org.fairgrove.pipeline.config;

import org.fairgrove.pipeline.core.Errors;

/** Keys under {@code export}: how exported resources identify themselves. */
public record ExportSettings(String fhirIdentifierSystem) {
  static ExportSettings read(ConfigReader c) {
    String key = "export.fhir-identifier-system";
    String system = c.string(key);
    if (!system.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:\\S+$")) {
      throw Errors.invalidConfigValue(key, c.origin(key), "'" + system + "' is not an absolute"
          + " URI, so it cannot name the system of a FHIR identifier.",
          "a URI your organisation controls, e.g. \"https://example.org/fhir/fairgrove-risk\"");
    }
    return new ExportSettings(system);
  }
}
