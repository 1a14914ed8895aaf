package io.mersdk.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.mersdk.server.ServerOptions;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code mer serve}'s options become the server's settings, and bad ones name themselves. */
class ServeCommandTest {
  @TempDir Path dir;

  private static ServerOptions parse(String... args) {
    ServeCommand cmd = new ServeCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd.options();
  }

  @Test
  void defaultsBindToLoopbackWithTheDocumentedLimits() {
    ServerOptions o = parse();
    assertThat(o.host().isLoopbackAddress()).isTrue();
    assertThat(o.port()).isEqualTo(8080);
    assertThat(o.maxBodyBytes()).isEqualTo(25 * 1024 * 1024);
    assertThat(o.maxAudio()).isEqualTo(Duration.ofSeconds(300));
    assertThat(o.httpWorkers()).isEqualTo(4);
    assertThat(o.httpQueue()).isEqualTo(16);
    assertThat(o.maxStreams()).isEqualTo(64);
    assertThat(o.maxMessageBytes()).isEqualTo(1024 * 1024);
    assertThat(o.maxQueuedAudio()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.maxUtterance()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.maxBatch()).isEqualTo(8);
    assertThat(o.batchWait()).isEqualTo(Duration.ofMillis(10));
    assertThat(o.shutdownGrace()).isEqualTo(Duration.ofSeconds(30));
    assertThat(o.requiresToken()).isFalse();
    assertThat(o.keyStore()).isEmpty();
  }

  @Test
  void everyOptionReachesTheServerSettings() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "s3cret\nignored\n");
    ServerOptions o = parse("--host", "127.0.0.2", "--port", "0", "--max-body-mb", "3",
        "--max-audio-seconds", "40", "--workers", "2", "--queue", "5", "--max-streams", "7",
        "--max-message-kb", "64", "--max-queued-seconds", "20", "--max-utterance-seconds", "12",
        "--max-batch", "3", "--batch-wait-ms", "25", "--grace-seconds", "4",
        "--token-file", token.toString());
    assertThat(o.host()).isEqualTo(InetAddress.getByName("127.0.0.2"));
    assertThat(o.port()).isZero();
    assertThat(o.maxBodyBytes()).isEqualTo(3 * 1024 * 1024);
    assertThat(o.maxAudio()).isEqualTo(Duration.ofSeconds(40));
    assertThat(o.httpWorkers()).isEqualTo(2);
    assertThat(o.httpQueue()).isEqualTo(5);
    assertThat(o.maxStreams()).isEqualTo(7);
    assertThat(o.maxMessageBytes()).isEqualTo(64 * 1024);
    assertThat(o.maxQueuedAudio()).isEqualTo(Duration.ofSeconds(20));
    assertThat(o.maxUtterance()).isEqualTo(Duration.ofSeconds(12));
    assertThat(o.maxBatch()).isEqualTo(3);
    assertThat(o.batchWait()).isEqualTo(Duration.ofMillis(25));
    assertThat(o.shutdownGrace()).isEqualTo(Duration.ofSeconds(4));
    assertThat(o.requiresToken()).isTrue();
  }

  @Test
  void badValuesAreUsageErrorsNamingTheOption() throws Exception {
    assertUsage("--max-body-mb", "0");
    assertUsage("--max-message-kb", "0");
    assertThatThrownBy(() -> parse("--host", "no-such-host.invalid"))
        .isInstanceOf(CliException.class).hasMessageContaining("--host");
    Path empty = Files.writeString(dir.resolve("empty"), "\n");
    assertThatThrownBy(() -> parse("--token-file", empty.toString()))
        .isInstanceOf(CliException.class).hasMessageContaining("--token-file");
    assertThatThrownBy(() -> parse("--token-file", dir.resolve("missing").toString()))
        .isInstanceOf(CliException.class).hasMessageContaining("--token-file");
    assertThatThrownBy(() -> parse("--keystore", dir.resolve("ks.p12").toString(),
            "--keystore-password-env", "MER_TEST_NO_SUCH_VARIABLE"))
        .isInstanceOf(CliException.class).hasMessageContaining("MER_TEST_NO_SUCH_VARIABLE");
    assertThatThrownBy(() -> parse("--workers", "0")).isInstanceOf(CliException.class)
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(Mer.USAGE));
  }

  private static void assertUsage(String option, String value) {
    assertThatThrownBy(() -> parse(option, value)).isInstanceOf(CliException.class)
        .hasMessageContaining(option)
        .satisfies(e -> assertThat(((CliException) e).exitCode()).isEqualTo(Mer.USAGE));
  }
}
