package io.mersdk.server.internal;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/** The bearer token check: constant-time, so the time to refuse says nothing about the token. */
public final class Tokens {
  private final byte[] expected;

  /** @param token the configured token, or null for no check */
  public Tokens(String token) {
    this.expected = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  public boolean required() {
    return expected != null;
  }

  /** Whether an {@code Authorization} header value carries the token (always true when none is set). */
  public boolean acceptsHeader(String authorization) {
    if (expected == null) {
      return true;
    }
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return accepts(authorization.substring(7).trim());
  }

  /** Whether {@code token} is the configured one (always true when none is set). */
  public boolean accepts(String token) {
    if (expected == null) {
      return true;
    }
    // MessageDigest.isEqual runs in time that depends on the first argument's length only
    return token != null && MessageDigest.isEqual(expected, token.getBytes(StandardCharsets.UTF_8));
  }
}
