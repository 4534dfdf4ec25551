package org.fairgrove.pipeline.ingest;

import java.util.regex.Pattern;
import org.fairgrove.pipeline.core.Errors;

/**
 * One batch to ingest: a source folder in a known format, from one contributing site.
 *
 * @param sourceFormat the name of one of {@link SourceFormat#ALL}, e.g. {@link #OMOP_CSV}
 * @param path DIR holding DIR/&lt;table&gt;/part-*.EXT or DIR/&lt;table&gt;.EXT
 * @param siteId the contributing source, stamped on every silver row and part of pseudonyms
 */
public record IngestRequest(String sourceFormat, String path, String siteId) {
  public static final String OMOP_CSV = "omop-csv";
  public static final String OMOP_PARQUET = "omop-parquet";
  public static final String SYNTHEA_CSV = "synthea-csv";
  public static final String FHIR_NDJSON = "fhir-ndjson";
  private static final Pattern SITE_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");

  public IngestRequest {
    SourceFormat.named(sourceFormat);
    if (siteId == null || !SITE_ID.matcher(siteId).matches()) {
      throw Errors.badSiteId(String.valueOf(siteId));
    }
  }

  /** The format the batch's files are in. */
  SourceFormat format() {
    return SourceFormat.named(sourceFormat);
  }
}
