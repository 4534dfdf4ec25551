package org.fairgrove.pipeline.report;

import com.openhtmltopdf.util.Diagnostic;
import com.openhtmltopdf.util.XRLog;
import com.openhtmltopdf.util.XRLogger;
import java.util.logging.Level;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * openhtmltopdf's log, sent to the pipeline's own (SLF4J) instead of its java.util.logging
 * console handler, which printed its progress ("Loaded document in ~398ms", "Prepare to fly")
 * at every report. Its warnings still show, in the pipeline's format; its progress only under
 * --verbose. Loggers are named com.openhtmltopdf.&lt;category&gt;, as openhtmltopdf names them.
 */
final class PdfRendererLog implements XRLogger {
  private PdfRendererLog() {}

  /** Makes this the renderer's log for the JVM (openhtmltopdf keeps one, statically). */
  static void install() {
    if (!(XRLog.getLoggerImpl() instanceof PdfRendererLog)) {
      XRLog.setLoggerImpl(new PdfRendererLog());
    }
  }

  @Override
  public void log(String where, Level level, String message) {
    log(where, level, message, null);
  }

  @Override
  public void log(String where, Level level, String message, Throwable error) {
    Logger logger = LoggerFactory.getLogger(where);
    int severity = level.intValue();
    if (severity >= Level.SEVERE.intValue()) {
      logger.error(message, error);
    } else if (severity >= Level.WARNING.intValue()) {
      logger.warn(message, error);
    } else if (severity >= Level.INFO.intValue()) {
      logger.info(message, error);
    } else {
      logger.debug(message, error);
    }
  }

  /** Levels are the logging configuration's to set (fairgrove-log4j2.properties). */
  @Override
  public void setLevel(String logger, Level level) {}

  @Override
  public boolean isLogLevelEnabled(Diagnostic diagnostic) {
    Logger logger = LoggerFactory.getLogger(diagnostic.getLogMessageId().getWhere());
    int severity = diagnostic.getLevel().intValue();
    return severity >= Level.WARNING.intValue() ? logger.isWarnEnabled()
        : severity >= Level.INFO.intValue() ? logger.isInfoEnabled() : logger.isDebugEnabled();
  }
}
