package org.fairgrove.pipeline.testing;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.hl7.fhir.common.hapi.validation.support.CachingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;

/**
 * HAPI FHIR's R4 instance validator (a test dependency, through Synthea), offline: the core
 * specification's profiles and value sets, no terminology server. It runs in a child JVM, so
 * its libraries never meet Spark's.
 */
public final class FhirValidation {
  /** What the validator said about every resource of a folder's NDJSON files. */
  public record Report(int resources, List<String> errors, List<String> warnings) {}

  private FhirValidation() {}

  /** Validates every line of every *.ndjson file in the folder. */
  public static Report validate(Path folder) {
    Path out = folder.resolveSibling(folder.getFileName() + "-validation.txt");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
        FhirValidation.class.getName(), folder.toAbsolutePath().toString());
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(out.toFile()).start();
      if (!process.waitFor(10, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException("The FHIR validator did not finish in 10 minutes");
      }
      List<String> lines = Files.readAllLines(out);
      if (process.exitValue() != 0) {
        throw new IllegalStateException("The FHIR validator exited with "
            + process.exitValue() + ":\n" + String.join("\n", lines));
      }
      int resources = 0;
      List<String> errors = new ArrayList<>();
      List<String> warnings = new ArrayList<>();
      for (String line : lines) {
        if (line.startsWith("RESOURCES ")) {
          resources = Integer.parseInt(line.substring("RESOURCES ".length()));
        } else if (line.startsWith("ERROR ") || line.startsWith("FATAL ")) {
          errors.add(line);
        } else if (line.startsWith("WARNING ")) {
          warnings.add(line);
        }
      }
      return new Report(resources, errors, warnings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while the FHIR validator ran", e);
    }
  }

  /** Child JVM: prints "SEVERITY location: message" per finding, then "RESOURCES n". */
  public static void main(String[] args) throws IOException {
    FhirContext context = FhirContext.forR4();
    ValidationSupportChain support = new ValidationSupportChain(
        new DefaultProfileValidationSupport(context),
        new CommonCodeSystemsTerminologyService(context),
        new InMemoryTerminologyServerValidationSupport(context),
        new SnapshotGeneratingValidationSupport(context));
    FhirValidator validator = context.newValidator()
        .registerValidatorModule(new FhirInstanceValidator(new CachingValidationSupport(support)));
    List<Path> files;
    try (Stream<Path> listed = Files.list(Path.of(args[0]))) {
      files = listed.filter(p -> p.getFileName().toString().endsWith(".ndjson")).sorted()
          .toList();
    }
    int resources = 0;
    for (Path file : files) {
      for (String line : Files.readAllLines(file)) {
        if (line.isBlank()) {
          continue;
        }
        resources++;
        ValidationResult result = validator.validateWithResult(line);
        for (SingleValidationMessage message : result.getMessages()) {
          System.out.println(message.getSeverity().name() + " " + file.getFileName() + ":"
              + resources + " " + message.getLocationString() + ": " + message.getMessage());
        }
      }
    }
    System.out.println("RESOURCES " + resources);
  }
}
