package org.fairgrove.pipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.fairgrove.pipeline.core.Errors;

/**
 * Typed, validated reads of one effective configuration. Every failure names the key, what was
 * expected and where the offending value came from.
 */
final class ConfigReader {
  private final Config config;

  ConfigReader(Config config) {
    this.config = config;
  }

  static String origin(ConfigValue value) {
    String description = value.origin().description();
    return description == null ? "unknown origin" : description;
  }

  String origin(String key) {
    return origin(config.getValue(key));
  }

  String string(String key) {
    return config.getValue(key).unwrapped().toString().trim();
  }

  /** A string value that must not be empty. */
  String requiredString(String key, String what) {
    if (config.getIsNull(key) || string(key).isEmpty()) {
      throw Errors.missingConfigValue(
          key, "It must name " + what + ".", "Set it in your config file or with --set " + key
              + "=<value>.");
    }
    return string(key);
  }

  String optionalString(String key) {
    return config.getIsNull(key) ? null : string(key);
  }

  String oneOf(String key, Set<String> allowed) {
    String value = string(key);
    if (!allowed.contains(value)) {
      throw Errors.invalidConfigValue(
          key, origin(key), "'" + value + "' is not one of " + allowed + ".", "one of " + allowed);
    }
    return value;
  }

  /** The enum constant whose configuration name the key holds. */
  <E extends Enum<E> & Choice> E choice(String key, Class<E> type) {
    String value = string(key);
    List<String> allowed = Choice.names(type);
    return Choice.find(type, value).orElseThrow(() -> Errors.invalidConfigValue(
        key, origin(key), "'" + value + "' is not one of " + allowed + ".", "one of " + allowed));
  }

  /** A list of distinct configuration names of a choice enum, as its constants. */
  <E extends Enum<E> & Choice> List<E> choices(String key, Class<E> type) {
    List<String> allowed = Choice.names(type);
    List<E> out = new ArrayList<>();
    for (String value : strings(key)) {
      E match = Choice.find(type, value).orElse(null);
      if (match == null || out.contains(match)) {
        throw Errors.invalidConfigValue(key, origin(key), "'" + value + "' is not one of "
            + allowed + (match == null ? "." : ", or is named twice."),
            "a list of distinct names from " + allowed);
      }
      out.add(match);
    }
    return List.copyOf(out);
  }

  long longAtLeast(String key, long min) {
    long value = config.getLong(key);
    if (value < min) {
      throw Errors.invalidConfigValue(
          key, origin(key), value + " is below the minimum " + min + ".", "a number >= " + min);
    }
    return value;
  }

  int intIn(String key, int min, int max) {
    int value = config.getInt(key);
    if (value < min || value > max) {
      throw Errors.invalidConfigValue(
          key,
          origin(key),
          value + " is outside " + min + ".." + max + ".",
          "a whole number from " + min + " to " + max);
    }
    return value;
  }

  double doubleIn(String key, double min, double max) {
    double value = config.getDouble(key);
    if (!(value >= min && value <= max)) {
      throw Errors.invalidConfigValue(
          key, origin(key), value + " is outside " + min + ".." + max + ".",
          "a number from " + min + " to " + max);
    }
    return value;
  }

  boolean bool(String key) {
    return config.getBoolean(key);
  }

  LocalDate date(String key) {
    try {
      return LocalDate.parse(string(key));
    } catch (DateTimeParseException e) {
      throw Errors.invalidConfigValue(
          key, origin(key), "'" + string(key) + "' is not an ISO date.", "a date like 2024-12-31");
    }
  }

  /** A date, or null when the key is null. */
  LocalDate optionalDate(String key) {
    return config.getIsNull(key) ? null : date(key);
  }

  List<Long> positiveLongs(String key) {
    List<Long> values = new ArrayList<>();
    for (ConfigValue item : config.getList(key)) {
      Object raw = item.unwrapped();
      if (!(raw instanceof Number number) || number.longValue() < 1
          || number.doubleValue() != number.longValue()) {
        throw Errors.invalidConfigValue(
            key, origin(item), "'" + raw + "' is not a positive whole number.",
            "a list of positive whole numbers, e.g. [10000, 100000]");
      }
      values.add(number.longValue());
    }
    return List.copyOf(values);
  }

  List<Integer> ints(String key) {
    List<Integer> values = new ArrayList<>();
    for (ConfigValue item : config.getList(key)) {
      Object raw = item.unwrapped();
      if (!(raw instanceof Number number) || number.doubleValue() != number.intValue()) {
        throw Errors.invalidConfigValue(key, origin(item), "'" + raw + "' is not a whole number.",
            "a list of whole numbers, e.g. [201826]");
      }
      values.add(number.intValue());
    }
    return List.copyOf(values);
  }

  /** A non-empty list of numbers, each within min..max. */
  List<Double> doublesIn(String key, double min, double max) {
    List<Double> values = new ArrayList<>();
    for (ConfigValue item : config.getList(key)) {
      Object raw = item.unwrapped();
      if (!(raw instanceof Number number) || !(number.doubleValue() >= min
          && number.doubleValue() <= max)) {
        throw Errors.invalidConfigValue(key, origin(item),
            "'" + raw + "' is not a number from " + min + " to " + max + ".",
            "a list of numbers from " + min + " to " + max + ", e.g. [0.1, 0.2]");
      }
      values.add(number.doubleValue());
    }
    if (values.isEmpty()) {
      throw Errors.invalidConfigValue(key, origin(key), "The list is empty.",
          "a list of at least one number from " + min + " to " + max);
    }
    return List.copyOf(values);
  }

  List<String> strings(String key) {
    return config.getStringList(key).stream().map(String::trim).toList();
  }

  List<ConfigReader> objects(String key) {
    List<ConfigReader> readers = new ArrayList<>();
    ConfigList list = config.getList(key);
    for (ConfigValue item : list) {
      if (item.valueType() != ConfigValueType.OBJECT) {
        throw Errors.wrongConfigType(key, "a list of objects", item.valueType().name().toLowerCase(),
            origin(item));
      }
      readers.add(new ConfigReader(((ConfigObject) item).toConfig()));
    }
    return readers;
  }

  /** A free-form map (declared as {} in base.conf), flattened to dotted keys and string values. */
  Map<String, String> flatMap(String key) {
    Map<String, String> values = new LinkedHashMap<>();
    config.getConfig(key).entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(e -> values.put(unquote(e.getKey()), e.getValue().unwrapped().toString()));
    return values;
  }

  boolean has(String key) {
    return config.hasPath(key);
  }

  private static String unquote(String path) {
    return path.replace("\"", "");
  }
}
