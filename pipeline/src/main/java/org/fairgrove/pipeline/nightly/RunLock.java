package org.fairgrove.pipeline.nightly;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;
import org.fairgrove.pipeline.config.Locations;
import org.fairgrove.pipeline.core.Progress;

/**
 * One nightly run per task at a time: a lock file beside the lakehouse
 * (_locks/nightly-&lt;task&gt;.lock) holding the owner's host, process id, run id and start time,
 * created only if absent. A lock whose owner is a process of this host that no longer runs was
 * left by a crash, and is taken over. A lock from another host is honoured until removed by
 * hand: its process cannot be checked from here.
 */
final class RunLock implements AutoCloseable {
  private final FileSystem fs;
  private final Path path;
  private final String content;

  private RunLock(FileSystem fs, Path path, String content) {
    this.fs = fs;
    this.path = path;
    this.content = content;
  }

  /** Who holds a lock: host, process id, run id, start time. */
  record Holder(String host, long pid, String runId, String since) {
    /** A lock not written by this class is held by "unknown" (never taken over). */
    static Holder parse(String text) {
      String[] parts = text.strip().split(" ", 4);
      try {
        return new Holder(parts[0], Long.parseLong(parts[1]),
            parts.length > 2 ? parts[2] : "?", parts.length > 3 ? parts[3] : "?");
      } catch (RuntimeException e) {
        return new Holder("unknown", -1, "?", "?");
      }
    }

    boolean deadHere(String thisHost) {
      return host.equals(thisHost) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    String describe() {
      return "run " + runId + ", process " + pid + " on " + host + ", since " + since;
    }
  }

  /** The lock, or who holds it. */
  record Attempt(RunLock lock, Holder holder) {}

  static Attempt acquire(SparkSession spark, String lakehouseRoot, String taskId, String runId) {
    Path path = new Path(Locations.child(lakehouseRoot, "_locks", "nightly-" + taskId + ".lock"));
    String host = host();
    String content = host + " " + ProcessHandle.current().pid() + " " + runId + " "
        + Instant.now();
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      for (int attempt = 0; attempt < 2; attempt++) {
        if (create(fs, path, content)) {
          return new Attempt(new RunLock(fs, path, content), null);
        }
        Optional<Holder> holder = read(fs, path);
        if (holder.isPresent() && !holder.get().deadHere(host)) {
          return new Attempt(null, holder.get());
        }
        // Gone, or left empty by a process killed while writing it.
        Progress.info("nightly: taking over the lock left by a process that is gone (%s)",
            holder.map(Holder::describe).orElse("empty lock file"));
        fs.delete(path, false);
      }
      Holder holder = read(fs, path).orElseThrow(() -> new IllegalStateException(
          "The lock " + path + " could neither be taken nor read"));
      return new Attempt(null, holder);
    } catch (IOException e) {
      throw new UncheckedIOException("The nightly lock " + path + " could not be taken", e);
    }
  }

  /** Creates the file only if it does not exist. */
  private static boolean create(FileSystem fs, Path path, String content) throws IOException {
    try (FSDataOutputStream out = fs.create(path, false)) {
      out.write(content.getBytes(StandardCharsets.UTF_8));
      return true;
    } catch (org.apache.hadoop.fs.FileAlreadyExistsException e) {
      return false;
    } catch (IOException e) {
      if (fs.exists(path)) {
        return false;
      }
      throw e;
    }
  }

  private static Optional<Holder> read(FileSystem fs, Path path) throws IOException {
    if (!fs.exists(path)) {
      return Optional.empty();
    }
    try (var in = fs.open(path)) {
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return text.isBlank() ? Optional.empty() : Optional.of(Holder.parse(text));
    }
  }

  /** This machine's name, as locks and ops.nightly_runs record it. */
  static String host() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }

  /** Removes the lock if it is still this run's. */
  @Override
  public void close() {
    try {
      Optional<Holder> holder = read(fs, path);
      if (holder.isPresent() && content.startsWith(holder.get().host() + " "
          + holder.get().pid() + " ")) {
        fs.delete(path, false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("The nightly lock " + path + " could not be released", e);
    }
  }
}
