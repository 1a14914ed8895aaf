package io.mersdk.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.server.internal.BoundedBody;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

class BoundedBodyTest {

  /** An endless body that counts what was taken from it. */
  static final class Endless extends InputStream {
    long taken;

    @Override
    public int read() {
      taken++;
      return 7;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      taken += len;
      return len;
    }
  }

  @Test
  void readsNoMoreThanOneBytePastTheLimit() {
    Endless body = new Endless();

    assertThatThrownBy(() -> BoundedBody.read(body, 100_000))
        .isInstanceOf(BoundedBody.TooLargeException.class)
        .hasMessageContaining("100000 bytes");
    assertThat(body.taken).isEqualTo(100_001);
  }

  @Test
  void aBodyOfExactlyTheLimitIsRead() throws Exception {
    byte[] data = new byte[70_000];
    data[69_999] = 42;

    assertThat(BoundedBody.read(new ByteArrayInputStream(data), 70_000)).isEqualTo(data);
  }
}
