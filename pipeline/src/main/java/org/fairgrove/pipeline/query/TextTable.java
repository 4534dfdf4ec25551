package org.fairgrove.pipeline.query;

import java.util.List;
import org.apache.spark.sql.Row;

/** A bordered plain-text table for terminals. */
public final class TextTable {
  private static final int MAX_WIDTH = 60;

  private TextTable() {}

  public static String render(String[] columns, List<Row> rows) {
    String[][] cells = new String[rows.size()][columns.length];
    int[] widths = new int[columns.length];
    for (int c = 0; c < columns.length; c++) {
      widths[c] = Math.min(MAX_WIDTH, columns[c].length());
    }
    for (int r = 0; r < rows.size(); r++) {
      for (int c = 0; c < columns.length; c++) {
        Object value = rows.get(r).get(c);
        String text = value == null ? "NULL" : String.valueOf(value).replace('\n', ' ');
        if (text.length() > MAX_WIDTH) {
          text = text.substring(0, MAX_WIDTH - 3) + "...";
        }
        cells[r][c] = text;
        widths[c] = Math.max(widths[c], text.length());
      }
    }
    StringBuilder out = new StringBuilder();
    String border = border(widths);
    out.append(border);
    appendLine(out, columns, widths, null);
    out.append(border);
    for (int r = 0; r < rows.size(); r++) {
      appendLine(out, cells[r], widths, rows.get(r));
    }
    out.append(border);
    return out.toString();
  }

  private static String border(int[] widths) {
    StringBuilder line = new StringBuilder("+");
    for (int width : widths) {
      line.append("-".repeat(width + 2)).append('+');
    }
    return line.append('\n').toString();
  }

  /** Numbers are right-aligned so digits line up; everything else is left-aligned. */
  private static void appendLine(StringBuilder out, String[] cells, int[] widths, Row row) {
    out.append('|');
    for (int c = 0; c < cells.length; c++) {
      String cell = cells[c].length() > widths[c] ? cells[c].substring(0, widths[c]) : cells[c];
      boolean numeric = row != null && row.get(c) instanceof Number;
      String pad = " ".repeat(widths[c] - cell.length());
      out.append(' ').append(numeric ? pad + cell : cell + pad).append(" |");
    }
    out.append('\n');
  }
}
