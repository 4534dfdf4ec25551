package org.fairgrove.pipeline.ingest;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.api.java.UDF2;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Errors;

/**
 * Person pseudonyms: the first 8 bytes of HMAC-SHA256(key, site_id + ":" + source person id as a
 * decimal string), as a non-negative long. Validation maps the synthetic ground truth (keyed by
 * source person id) through {@link #of} to meet silver's ids.
 */
public final class Pseudonym {
  private static final String HMAC = "HmacSHA256";

  private Pseudonym() {}

  public static long of(byte[] key, String siteId, String sourcePersonId) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(new SecretKeySpec(key, HMAC));
      byte[] digest = mac.doFinal((siteId + ":" + sourcePersonId).getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong() & Long.MAX_VALUE;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
    }
  }

  /**
   * The key: from the environment variable named by deid.key-env; in development only, the fixed
   * deid.dev-key when the variable is unset. Fails at start otherwise.
   */
  public static byte[] key(FairgroveConfig config) {
    String envVar = config.deid.keyEnv();
    String fromEnv = System.getenv(envVar);
    String key;
    String source;
    if (fromEnv != null && !fromEnv.isEmpty()) {
      key = fromEnv;
      source = "$" + envVar;
    } else if (!config.run.production() && config.deid.devKey() != null) {
      key = config.deid.devKey();
      source = "deid.dev-key";
    } else {
      throw Errors.pseudonymKeyMissing(envVar, config.run.production());
    }
    if (key.length() < Errors.MIN_KEY_CHARS) {
      throw Errors.pseudonymKeyTooShort(source);
    }
    return key.getBytes(StandardCharsets.UTF_8);
  }

  /** (site_id, source person id as BIGINT) -> pseudonym; the key travels inside the function. */
  public static UDF2<String, Long, Long> udf(byte[] key) {
    byte[] copy = key.clone();
    return (site, sourceId) -> sourceId == null ? null : of(copy, site, Long.toString(sourceId));
  }
}
