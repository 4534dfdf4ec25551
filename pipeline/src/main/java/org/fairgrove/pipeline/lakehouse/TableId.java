package org.fairgrove.pipeline.lakehouse;

/** A lakehouse table: its schema (bronze, silver, gold, ops, registry, truth) and name. */
public record TableId(String schema, String name) implements Comparable<TableId> {
  public static TableId of(String schema, String name) {
    return new TableId(schema, name);
  }

  public String quoted() {
    return Lakehouse.quote(schema) + "." + Lakehouse.quote(name);
  }

  @Override
  public int compareTo(TableId other) {
    return toString().compareTo(other.toString());
  }

  @Override
  public String toString() {
    return schema + "." + name;
  }
}
