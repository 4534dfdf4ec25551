package org.fairgrove.jobs;

import org.fairgrove.pipeline.config.Choice;
import org.fairgrove.pipeline.core.Errors;

/** Command-line values checked against the choices declared in the library. */
final class Options {
  private Options() {}

  static <E extends Enum<E> & Choice> E choice(Class<E> type, String option, String value) {
    for (E constant : type.getEnumConstants()) {
      if (constant.configName().equals(value)) {
        return constant;
      }
    }
    throw Errors.invalidOption(option, value, Choice.names(type));
  }
}
