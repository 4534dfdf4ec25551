package org.fairgrove.pipeline.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Temporary folders for what a test JVM shares across its tests (a Spark session's lakehouse,
 * Synthea's output): JUnit's {@code @TempDir} ends with one test, these with the JVM.
 */
public final class TempFolders {
  private TempFolders() {}

  /** A new folder under the system's temporary directory, deleted when the JVM exits. */
  public static Path deletedAtExit(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(dir)));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // Best effort at exit: the folder is under the system's temporary directory.
    }
  }
}
