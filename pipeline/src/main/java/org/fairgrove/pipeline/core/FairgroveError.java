package org.fairgrove.pipeline.core;

/**
 * An error a user can act on: what went wrong, why, and how to fix it. Every instance is built by
 * {@link Errors}, so the wording of all user-facing errors lives in one place. Messages never
 * carry identifiers or per-person values.
 */
public final class FairgroveError extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String problem;
  private final String reason;
  private final String fix;

  FairgroveError(String problem, String reason, String fix, Throwable cause) {
    super(problem + "\n  Why: " + reason + "\n  Fix: " + fix, cause);
    this.problem = problem;
    this.reason = reason;
    this.fix = fix;
  }

  public String problem() {
    return problem;
  }

  public String reason() {
    return reason;
  }

  public String fix() {
    return fix;
  }
}
