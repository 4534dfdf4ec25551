package org.fairgrove.pipeline.ingest;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.fairgrove.pipeline.config.FairgroveConfig;
import org.fairgrove.pipeline.core.Errors;

/**
 * Keyed hashes: person pseudonyms, the first 8 bytes of HMAC-SHA256(key, site_id + ":" + source
 * person id as a decimal string), as a non-negative long; and row hashes, HMAC-SHA256 of a source
 * row's fields, for lineage. Validation maps the synthetic ground truth (keyed by source person
 * id) through {@link #of} to meet silver's ids.
 */
public final class Pseudonym {
  private static final String HMAC = "HmacSHA256";
  /** Separates a row's fields before hashing; a null field is written as NUL. */
  private static final char FIELD = '\u001f';

  private Pseudonym() {}

  public static long of(byte[] key, String siteId, String sourcePersonId) {
    return new Keyed(key).pseudonym(siteId, sourcePersonId);
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
    Keyed keyed = new Keyed(key);
    return (site, sourceId) -> sourceId == null ? null
        : keyed.pseudonym(site, Long.toString(sourceId));
  }

  /** A row's fields -> the hex HMAC of the fields joined. */
  static UDF1<scala.collection.Seq<String>, String> rowHash(byte[] key) {
    Keyed keyed = new Keyed(key);
    return fields -> {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < fields.size(); i++) {
        String field = fields.apply(i);
        text.append(field == null ? "\u0000" : field).append(FIELD);
      }
      return HexFormat.of().formatHex(keyed.mac(text.toString()), 0, 16);
    };
  }

  /**
   * The key and, per deserialised copy (one per task, so per thread), one initialised Mac:
   * looking up and initialising a Mac costs more than the hash itself.
   */
  private static final class Keyed implements Serializable {
    private static final long serialVersionUID = 1L;
    private final byte[] key;
    private transient Mac mac;

    Keyed(byte[] key) {
      this.key = key.clone();
    }

    byte[] mac(String text) {
      try {
        if (mac == null) {
          mac = Mac.getInstance(HMAC);
          mac.init(new SecretKeySpec(key, HMAC));
        }
        return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HMAC-SHA256 is missing from this JVM", e);
      }
    }

    long pseudonym(String siteId, String sourcePersonId) {
      byte[] digest = mac(siteId + ":" + sourcePersonId);
      return ByteBuffer.wrap(digest, 0, Long.BYTES).getLong() & Long.MAX_VALUE;
    }
  }
}
