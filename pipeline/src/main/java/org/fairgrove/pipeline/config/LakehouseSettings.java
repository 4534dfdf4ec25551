package org.fairgrove.pipeline.config;

/** Keys under {@code lakehouse}: where the Delta tables live. */
public record LakehouseSettings(String root) {
  static LakehouseSettings read(ConfigReader c) {
    return new LakehouseSettings(
        Locations.resolve(c.requiredString("lakehouse.root", "the lakehouse root folder or URI")));
  }
}
