package org.fairgrove.pipeline.core;

import java.util.Locale;

/**
 * How an estimate and its confidence interval read wherever a person sees them (terminal,
 * report, gate decision): "0.520 (0.380 to 0.710)". The bounds are joined by "to", never by a
 * hyphen, which reads as a minus sign once a bound is negative ("-0.197--0.0300").
 */
public final class Intervals {
  private Intervals() {}

  /** The value, then its interval, each in the format, e.g. {@code "%.3f"}. */
  public static String of(String format, double value, double low, double high) {
    return String.format(Locale.ROOT, format, value) + " " + bounds(format, low, high);
  }

  /** The interval alone, in parentheses: "(0.380 to 0.710)". */
  public static String bounds(String format, double low, double high) {
    return "(" + String.format(Locale.ROOT, format, low) + " to "
        + String.format(Locale.ROOT, format, high) + ")";
  }
}
