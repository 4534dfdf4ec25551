package org.fairgrove.pipeline.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigOriginFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.fairgrove.pipeline.core.Errors;

/**
 * The one typed configuration object. Built from conf/base.conf (which declares every key, its
 * default and its help), then the profiles or files given with --conf in order, then --set
 * overrides. Unknown keys, wrong types and invalid values fail here, at start.
 */
public final class FairgroveConfig {
  static final String BUNDLED_DIR = "fairgrove/conf/";
  /** Profiles shipped in the jar (conf/*.conf); --conf NAME picks one. */
  public static final List<String> BUNDLED_PROFILES = List.of("local", "cluster", "nightly");
  /** --task ID is the config layer "tasks/ID": conf/tasks/ID.conf, shipped in the jar. */
  public static final String TASKS_PREFIX = "tasks/";

  private static final Pattern HOCON_LITERAL =
      Pattern.compile("^(-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?|true|false|null|\\[.*]|\\{.*}|\".*\")$");

  private final Config effective;
  private final Config declared;

  public final RunSettings run;
  public final SparkSettings spark;
  public final LakehouseSettings lakehouse;
  public final ReportSettings reports;
  public final SynthSettings synth;
  public final BenchSettings bench;
  public final TaskSettings task;
  public final GovernanceSettings governance;
  public final IngestSettings ingest;
  public final DeidSettings deid;
  public final NightlySettings nightly;
  public final ExportSettings export;

  private FairgroveConfig(Config declared, Config effective) {
    this.declared = declared;
    this.effective = effective;
    ConfigReader reader = new ConfigReader(effective);
    this.run = RunSettings.read(reader);
    this.spark = SparkSettings.read(reader);
    this.lakehouse = LakehouseSettings.read(reader);
    this.reports = ReportSettings.read(reader);
    this.synth = SynthSettings.read(reader);
    this.bench = BenchSettings.read(reader);
    this.task = TaskSettings.read(reader);
    this.governance = GovernanceSettings.read(reader);
    this.ingest = IngestSettings.read(reader);
    this.deid = DeidSettings.read(reader);
    this.nightly = NightlySettings.read(reader);
    this.export = ExportSettings.read(reader);
  }

  /** The declared defaults alone (conf/base.conf). */
  public static FairgroveConfig defaults() {
    return load(List.of(), List.of());
  }

  /**
   * @param confs bundled profile names or file paths, applied in order
   * @param sets "key=value" overrides, applied last
   */
  public static FairgroveConfig load(List<String> confs, List<String> sets) {
    Config declared = ConfigFactory.parseResources(BUNDLED_DIR + "base.conf",
        ConfigParseOptions.defaults().setAllowMissing(false));
    Config merged = declared;
    for (String conf : confs) {
      merged = parseConf(conf).withFallback(merged);
    }
    for (String set : sets) {
      merged = applySet(merged, set);
    }
    Config effective;
    try {
      effective = merged.resolve();
    } catch (ConfigException e) {
      throw Errors.unreadableConfig(String.join(", ", confs), e.getMessage());
    }
    checkDeclared(declared, effective);
    return new FairgroveConfig(declared, effective);
  }

  /** This configuration with more --set overrides applied (used by stages that derive runs). */
  public FairgroveConfig with(List<String> sets) {
    Config merged = effective;
    for (String set : sets) {
      merged = applySet(merged, set);
    }
    Config resolved = merged.resolve();
    checkDeclared(declared, resolved);
    return new FairgroveConfig(declared, resolved);
  }

  private static Config parseConf(String conf) {
    Path file = Path.of(conf);
    try {
      if (Files.isRegularFile(file)) {
        return ConfigFactory.parseFile(file.toFile(),
            ConfigParseOptions.defaults().setAllowMissing(false));
      }
      if (BUNDLED_PROFILES.contains(conf) || isBundledTask(conf)) {
        return ConfigFactory.parseResources(BUNDLED_DIR + conf + ".conf",
            ConfigParseOptions.defaults().setAllowMissing(false));
      }
    } catch (ConfigException.Parse e) {
      throw Errors.unreadableConfig(conf, e.getMessage());
    }
    if (conf.startsWith(TASKS_PREFIX)) {
      throw Errors.taskNotFound(conf.substring(TASKS_PREFIX.length()));
    }
    throw Errors.configFileNotFound(conf, BUNDLED_PROFILES);
  }

  private static boolean isBundledTask(String conf) {
    return conf.matches("tasks/[A-Za-z0-9_-]+")
        && FairgroveConfig.class.getClassLoader().getResource(BUNDLED_DIR + conf + ".conf") != null;
  }

  private static Config applySet(Config config, String set) {
    int eq = set.indexOf('=');
    if (eq <= 0) {
      throw Errors.badSetOption(set);
    }
    String key = set.substring(0, eq).trim();
    String text = set.substring(eq + 1).trim();
    String origin = "--set " + key;
    ConfigValue value;
    if (HOCON_LITERAL.matcher(text).matches()) {
      try {
        value = ConfigFactory.parseString("v = " + text).getValue("v")
            .withOrigin(ConfigOriginFactory.newSimple(origin));
      } catch (ConfigException e) {
        throw Errors.unreadableConfig(origin, e.getMessage());
      }
    } else {
      // Anything else is a plain string: HOCON would read "s3a://x" as a value and a comment.
      value = ConfigValueFactory.fromAnyRef(text, origin);
    }
    try {
      return config.withValue(key, value);
    } catch (ConfigException.BadPath e) {
      throw Errors.badSetOption(set);
    }
  }

  /** Every effective key must be declared in base.conf, with a value of the declared type. */
  private static void checkDeclared(Config declared, Config effective) {
    Map<String, ConfigValue> declaredLeaves = leaves(declared);
    Set<String> openMaps = openMaps(declared);
    for (Map.Entry<String, ConfigValue> entry : leaves(effective).entrySet()) {
      String key = entry.getKey();
      ConfigValue value = entry.getValue();
      ConfigValue declaration = declaredLeaves.get(key);
      if (declaration == null) {
        boolean inOpenMap = openMaps.stream().anyMatch(map -> key.startsWith(map + "."));
        if (!inOpenMap) {
          throw Errors.unknownConfigKey(key, ConfigReader.origin(value),
              closest(key, declaredLeaves.keySet()));
        }
        continue;
      }
      checkType(key, declaration, value);
    }
    for (String map : openMaps) {
      ConfigValue value = effective.getValue(map);
      if (value.valueType() != ConfigValueType.OBJECT) {
        throw Errors.wrongConfigType(map, "an object { ... }", describe(value),
            ConfigReader.origin(value));
      }
    }
  }

  private static void checkType(String key, ConfigValue declaration, ConfigValue value) {
    ConfigValueType want = declaration.valueType();
    ConfigValueType got = value.valueType();
    String expected = null;
    switch (want) {
      case NUMBER -> {
        boolean integral = !(declaration.unwrapped() instanceof Double);
        Double number = asNumber(value);
        if (number == null || (integral && number != Math.rint(number))) {
          expected = integral ? "a whole number" : "a number";
        }
      }
      case BOOLEAN -> {
        if (got != ConfigValueType.BOOLEAN && !(got == ConfigValueType.STRING
            && Set.of("true", "false", "yes", "no", "on", "off")
            .contains(value.unwrapped().toString()))) {
          expected = "true or false";
        }
      }
      case STRING, NULL -> {
        if (got == ConfigValueType.LIST || got == ConfigValueType.OBJECT) {
          expected = "a single value (text)";
        }
      }
      case LIST -> {
        if (got != ConfigValueType.LIST) {
          expected = "a list [ ... ]";
        }
      }
      case OBJECT -> {
        if (got != ConfigValueType.OBJECT) {
          expected = "an object { ... }";
        }
      }
    }
    if (expected != null) {
      throw Errors.wrongConfigType(key, expected + " (default: "
          + declaration.render(ConfigRenderOptions.concise()) + ")", describe(value),
          ConfigReader.origin(value));
    }
  }

  private static Double asNumber(ConfigValue value) {
    Object raw = value.unwrapped();
    if (raw instanceof Number number) {
      return number.doubleValue();
    }
    if (raw instanceof String text) {
      try {
        return Double.parseDouble(text.trim());
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return null;
  }

  private static String describe(ConfigValue value) {
    return value.valueType().name().toLowerCase() + " " + value.render(ConfigRenderOptions.concise());
  }

  /** Leaf values by path; empty objects count as leaves (they declare free-form maps). */
  private static Map<String, ConfigValue> leaves(Config config) {
    Map<String, ConfigValue> out = new TreeMap<>();
    collect("", config.root(), out);
    return out;
  }

  private static void collect(String prefix, ConfigObject object, Map<String, ConfigValue> out) {
    for (Map.Entry<String, ConfigValue> e : object.entrySet()) {
      String key = prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey();
      ConfigValue value = e.getValue();
      if (value instanceof ConfigObject child && !child.isEmpty()) {
        collect(key, child, out);
      } else {
        out.put(key, value);
      }
    }
  }

  private static Set<String> openMaps(Config declared) {
    Set<String> maps = new java.util.TreeSet<>();
    leaves(declared).forEach((key, value) -> {
      if (value instanceof ConfigObject object && object.isEmpty()) {
        maps.add(key);
      }
    });
    return maps;
  }

  private static String closest(String key, Set<String> known) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : known) {
      int distance = editDistance(key, candidate);
      if (distance < bestDistance) {
        bestDistance = distance;
        best = candidate;
      }
    }
    return bestDistance <= Math.max(3, key.length() / 4) ? best : null;
  }

  private static int editDistance(String a, String b) {
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
        current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
      }
      int[] swap = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  /** One line per declared key: the effective value, where it came from, and its help text. */
  public List<KeyDescription> describeKeys() {
    List<KeyDescription> out = new ArrayList<>();
    leaves(declared).forEach((key, declaration) -> {
      ConfigValue value = valueOrNull(key);
      String help = String.join(" ", declaration.origin().comments().stream()
          .map(String::trim).toList());
      out.add(new KeyDescription(key, value.render(ConfigRenderOptions.concise()),
          ConfigReader.origin(value), help));
    });
    return out;
  }

  /** The value at a path, including an explicit null (which getValue refuses). */
  private ConfigValue valueOrNull(String key) {
    int dot = key.lastIndexOf('.');
    ConfigObject parent = dot < 0 ? effective.root() : effective.getObject(key.substring(0, dot));
    return parent.get(dot < 0 ? key : key.substring(dot + 1));
  }

  /** The effective configuration as sorted, compact HOCON (for logs, hashes and the registry). */
  public String render() {
    return effective.root().render(ConfigRenderOptions.concise().setFormatted(true));
  }

  /** The effective settings under one key (e.g. "task"), rendered the same way. */
  public String render(String path) {
    return effective.getValue(path).render(ConfigRenderOptions.concise().setFormatted(true));
  }

  /** A declared key, its effective value and origin, and its help from conf/base.conf. */
  public record KeyDescription(String key, String value, String origin, String help) {}
}
