package org.fairgrove.pipeline.config;

import java.nio.file.Path;

/** Locations in config: URIs (s3a://, abfss://, file:/) stay as given; plain paths become absolute. */
public final class Locations {
  private Locations() {}

  /** Relative paths are taken from the working directory, so two runs in two folders never meet. */
  public static String resolve(String location) {
    if (location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:/.*")) {
      return location;
    }
    return Path.of(location).toAbsolutePath().normalize().toString();
  }

  /** A location below a parent location. */
  public static String child(String parent, String... names) {
    StringBuilder out = new StringBuilder(parent.endsWith("/")
        ? parent.substring(0, parent.length() - 1) : parent);
    for (String name : names) {
      out.append('/').append(name);
    }
    return out.toString();
  }
}
