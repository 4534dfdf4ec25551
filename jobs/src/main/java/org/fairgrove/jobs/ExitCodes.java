package org.fairgrove.jobs;

import org.fairgrove.pipeline.nightly.NightlyRun;

/**
 * The exit codes of fairgrove commands, documented in the README. Schedulers branch on them, so
 * they never change meaning. Nightly's outcomes carry their own ({@link NightlyRun.Outcome}).
 */
final class ExitCodes {
  /** Done: for nightly and promote, a model was promoted (or is champion already). */
  static final int OK = 0;
  /** An unexpected failure (the message says what; --verbose gives the stack trace). */
  static final int FAILED = 1;
  /** A usage, configuration or input error the user can fix; the message says how. */
  static final int USER_ERROR = 2;
  /** The promotion gate refused the model: the champion stays (or none was promoted). */
  static final int GATE_REFUSED = NightlyRun.Outcome.KEPT_CHAMPION.exitCode();

  private ExitCodes() {}
}
