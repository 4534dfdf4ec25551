package org.fairgrove.pipeline.ingest;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.regexp_count;
import static org.apache.spark.sql.functions.regexp_extract;
import static org.apache.spark.sql.functions.regexp_replace;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.fairgrove.pipeline.config.DeidSettings;

/**
 * The de-identification guard's column rules (DESIGN.md): pseudonyms, Safe Harbor coarsening of
 * year of birth and ZIP, identifier patterns redacted from free text, and an optional per-person
 * date shift. Which columns are free text or dates comes from the silver contract.
 */
final class DeidGuard {
  static final String REDACTED = "[REDACTED]";
  private static final String LOW_POPULATION_ZIP3 = "fairgrove/deid/low-population-zip3.txt";
  /** TABLE.COLUMN.csv: the codes whose free text is kept; its header names the code column. */
  private static final String FREE_TEXT_CODES = "fairgrove/schemas/silver/free-text/";

  /**
   * Street suffixes of USPS Publication 28 (appendix C1), full and abbreviated, and the others
   * that generators such as Synthea's use (Parade, Quay, Wynd, ...): a number, one to three words
   * and one of these is read as a street address.
   */
  private static final List<String> STREET_SUFFIXES = List.of("Alley", "Aly", "Annex", "Arcade",
      "Avenue", "Ave", "Av", "Bayou", "Beach", "Bend", "Bluffs?", "Bottom", "Boulevard", "Blvd",
      "Branch", "Bridge", "Brooks?", "Burgs?", "Bypass", "Byp", "Byway", "Camp", "Canyon", "Cape",
      "Causeway", "Centers?", "Ctr", "Circles?", "Cir", "Cliffs?", "Club", "Commons?", "Corners?",
      "Course", "Courts?", "Ct", "Coves?", "Creek", "Crescent", "Crest", "Crossing", "Crossroad",
      "Curve", "Dale", "Dam", "Divide", "Drives?", "Dr", "Estates?", "Expressway", "Expy",
      "Extensions?", "Ext", "Falls?", "Ferry", "Fields?", "Flats?", "Fords?", "Forest", "Forges?",
      "Forks?", "Fort", "Freeway", "Fwy", "Gardens?", "Gateway", "Glens?", "Greens?", "Groves?",
      "Harbors?", "Haven", "Heights", "Hts", "Highway", "Hwy", "Hills?", "Hollow", "Inlet",
      "Islands?", "Isle", "Junctions?", "Jct", "Keys?", "Knolls?", "Lakes?", "Landing", "Lane",
      "Ln", "Lights?", "Loaf", "Locks?", "Lodge", "Loop", "Mall", "Manors?", "Meadows?", "Mews",
      "Mills?", "Mission", "Motorway", "Mount", "Mountains?", "Neck", "Orchard", "Oval",
      "Overpass", "Parks?", "Parkways?", "Pkwy", "Pass", "Passage", "Path", "Pathway", "Pike",
      "Pines?", "Place", "Pl", "Plains?", "Plaza", "Points?", "Ports?", "Prairie", "Radial",
      "Ramp", "Ranch", "Rapids?", "Rest", "Ridges?", "River", "Roads?", "Rd", "Route", "Row",
      "Rue", "Run", "Shoals?", "Shores?", "Skyway", "Springs?", "Spurs?", "Squares?", "Sq",
      "Station", "Stravenue", "Stream", "Streets?", "St", "Summit", "Terrace", "Ter",
      "Throughway", "Trace", "Track", "Trafficway", "Trail", "Trl", "Trailer", "Tunnel",
      "Turnpike", "Underpass", "Unions?", "Valleys?", "Via", "Viaduct", "Views?", "Villages?",
      "Ville", "Vista", "Walks?", "Wall", "Ways?", "Wells?", "Land", "Parade", "Quays?", "Wynd",
      "Gates?", "Highlands?", "Esplanade", "Promenade", "Close");

  /**
   * Identifier patterns, applied in this order (a URL may contain an address or an email, so it
   * goes first; an SSN before the looser phone number).
   */
  static final Map<String, String> IDENTIFIER_PATTERNS = patterns();

  private final UserDefinedFunction pseudonym;
  private final DeidSettings settings;
  private final long seed;
  private final List<String> lowPopulationZip3;

  DeidGuard(byte[] key, DeidSettings settings, long seed) {
    this.pseudonym = udf(Pseudonym.udf(key), DataTypes.LongType).withName("pseudonym");
    this.settings = settings;
    this.seed = seed;
    this.lowPopulationZip3 = lines(LOW_POPULATION_ZIP3, true);
  }

  private static Map<String, String> patterns() {
    Map<String, String> patterns = new LinkedHashMap<>();
    patterns.put("url", "(?i)\\b(?:https?://|ftp://|www\\.)\\S+");
    patterns.put("email", "[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}");
    patterns.put("ssn", "(?<![\\w-])\\d{3}-\\d{2}-\\d{4}(?![\\w-])");
    patterns.put("phone",
        "(?<![\\w-])(?:\\+?1[-. ]?)?(?:\\(\\d{3}\\)\\s?|\\d{3}[-. ])\\d{3}[-. ]\\d{4}(?![\\w-])");
    patterns.put("ip", "(?<![\\w.])(?:\\d{1,3}\\.){3}\\d{1,3}(?![\\w.])");
    patterns.put("street_address", "(?i)(?<![\\w-])\\d{1,6}[A-Z]?\\s+(?:[A-Z0-9'.-]+\\s+){1,3}"
        + "(?:" + String.join("|", STREET_SUFFIXES) + ")\\b\\.?"
        + "(?:,?\\s+(?:Apt|Apartment|Suite|Ste|Unit|#)\\.?\\s*[\\w-]+)?");
    return Collections.unmodifiableMap(patterns);
  }

  /** The pseudonymised person id of a source person id (BIGINT) at a site. */
  Column pseudonym(Column siteId, Column sourcePersonId) {
    return pseudonym.apply(siteId, sourcePersonId);
  }

  /** Persons older than deid.max-age at the reference date share the year that means 90+. */
  Column foldYearOfBirth(Column yearOfBirth) {
    return when(yearOfBirth.lt(foldedYear()), lit(foldedYear())).otherwise(yearOfBirth);
  }

  /** The year of birth every person over deid.max-age is given (their "90+"). */
  int foldedYear() {
    return settings.ageReferenceDate().getYear() - settings.maxAge() - 1;
  }

  /** The first three digits of a ZIP code; 000 for the low-population areas; null if none. */
  Column zip3(Column zip) {
    Column digits = regexp_extract(zip, "^\\s*(\\d{3})", 1);
    return when(zip.isNull().or(digits.equalTo("")), lit(null).cast(DataTypes.StringType))
        .when(digits.isin(lowPopulationZip3.toArray()), lit("000"))
        .otherwise(digits);
  }

  /** Free text with every identifier pattern replaced by [REDACTED]. */
  Column redact(Column text) {
    Column out = text;
    for (String pattern : IDENTIFIER_PATTERNS.values()) {
      out = regexp_replace(out, lit(pattern), lit(REDACTED));
    }
    return out;
  }

  /** How many identifier hits {@link #redact} replaces in the text (0 for null). */
  Column identifierHits(Column text) {
    Column remaining = text;
    Column hits = lit(0);
    for (String pattern : IDENTIFIER_PATTERNS.values()) {
      hits = hits.plus(coalesce(
          regexp_count(remaining, lit(pattern)), lit(0)));
      remaining = regexp_replace(remaining, lit(pattern), lit(REDACTED));
    }
    return hits;
  }

  /**
   * Days every date of the person moves by: the same for all of a person's rows in every table
   * and batch (derived from the seed and the pseudonym), so intervals are preserved.
   */
  Column shiftDays(Column personId) {
    int max = settings.dateShiftMaxDays();
    if (max == 0) {
      return lit(0);
    }
    return pmod(xxhash64(lit(seed), personId), lit(2L * max + 1)).minus(max).cast("int");
  }

  /**
   * Whether the row's free text in the column may be kept: its code is on the column's allow
   * list (schemas/silver/free-text/TABLE.COLUMN.csv). Without a list, no free text is kept.
   */
  Column freeTextAllowed(SourceTable table, String column) {
    List<String> lines = lines(FREE_TEXT_CODES + table.table() + "." + column + ".csv", false);
    if (lines.isEmpty()) {
      return lit(false);
    }
    String codeColumn = lines.get(0).split(",", 2)[0];
    Object[] codes = lines.stream().skip(1).map(line -> line.split(",", 2)[0].strip())
        .toArray();
    return coalesce(trim(col(codeColumn)).isin(codes), lit(false));
  }

  static boolean isFreeText(StructField field) {
    return field.getComment().isDefined() && field.getComment().get().startsWith("free text");
  }

  /** The non-comment lines of a resource; empty when it is absent and not required. */
  private static List<String> lines(String resource, boolean required) {
    try (InputStream in = DeidGuard.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        if (required) {
          throw new IllegalStateException(resource + " is not on the classpath");
        }
        return List.of();
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Reading " + resource + " failed", e);
    }
  }
}
