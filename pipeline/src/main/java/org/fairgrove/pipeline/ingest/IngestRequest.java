package org.fairgrove.pipeline.ingest;

import java.util.List;
import java.util.regex.Pattern;
import org.fairgrove.pipeline.core.Errors;

/**
 * One batch to ingest: a source folder in a known format, from one contributing site.
 *
 * @param sourceFormat one of {@link #FORMATS}
 * @param path DIR holding DIR/&lt;table&gt;/part-*.EXT or DIR/&lt;table&gt;.EXT
 * @param siteId the contributing source, stamped on every silver row and part of pseudonyms
 */
public record IngestRequest(String sourceFormat, String path, String siteId) {
  public static final String OMOP_CSV = "omop-csv";
  public static final String OMOP_PARQUET = "omop-parquet";
  public static final String SYNTHEA_CSV = "synthea-csv";
  public static final List<String> FORMATS = List.of(OMOP_CSV, OMOP_PARQUET, SYNTHEA_CSV);
  private static final Pattern SITE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public IngestRequest {
    if (!FORMATS.contains(sourceFormat)) {
      throw Errors.unknownSourceFormat(sourceFormat, FORMATS);
    }
    if (siteId == null || !SITE_ID.matcher(siteId).matches()) {
      throw Errors.badSiteId(String.valueOf(siteId));
    }
  }

  /** Synthea's CSV export (its files map to OMOP tables), rather than OMOP tables as they are. */
  boolean synthea() {
    return sourceFormat.equals(SYNTHEA_CSV);
  }

  /** The file extension of the format's data files: "csv" or "parquet". */
  String extension() {
    return sourceFormat.substring(sourceFormat.indexOf('-') + 1);
  }
}
