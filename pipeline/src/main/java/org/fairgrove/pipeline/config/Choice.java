package org.fairgrove.pipeline.config;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A setting that takes one of a fixed set of values, declared once as an enum whose constants
 * carry their configuration name; config validation and dispatch both come from the enum.
 */
public interface Choice {
  /** The value as written in configuration and on the command line. */
  String configName();

  /** The constant of a choice enum with that configuration name, if there is one. */
  static <E extends Enum<E> & Choice> Optional<E> find(Class<E> type, String name) {
    return Arrays.stream(type.getEnumConstants()).filter(c -> c.configName().equals(name))
        .findFirst();
  }

  /** The constant with that configuration name, as a table stores it (it must exist). */
  static <E extends Enum<E> & Choice> E named(Class<E> type, String name) {
    return find(type, name).orElseThrow(() -> new IllegalArgumentException("no "
        + type.getSimpleName() + " named " + name + "; one of " + names(type)));
  }

  /** Every configuration name of a choice enum, in declaration order. */
  static <E extends Enum<E> & Choice> List<String> names(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Choice::configName).toList();
  }
}
