package org.fairgrove.pipeline.config;

import java.util.Arrays;
import java.util.List;

/**
 * A setting that takes one of a fixed set of values, declared once as an enum whose constants
 * carry their configuration name; config validation and dispatch both come from the enum.
 */
public interface Choice {
  /** The value as written in configuration and on the command line. */
  String configName();

  /** The constant of a choice enum with that configuration name (as stored in a table). */
  static <E extends Enum<E> & Choice> E named(Class<E> type, String name) {
    return Arrays.stream(type.getEnumConstants()).filter(c -> c.configName().equals(name))
        .findFirst().orElseThrow(() -> new IllegalArgumentException("no " + type.getSimpleName()
            + " named " + name + "; one of " + names(type)));
  }

  /** Every configuration name of a choice enum, in declaration order. */
  static <E extends Enum<E> & Choice> List<String> names(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Choice::configName).toList();
  }
}
