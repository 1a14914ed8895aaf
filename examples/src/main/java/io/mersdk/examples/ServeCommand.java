package io.mersdk.examples;

import io.mersdk.EmotionRecognizer;
import io.mersdk.server.MerServer;
import io.mersdk.server.ServerOptions;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mer serve}: runs mer-sdk-server's {@link MerServer} until Ctrl-C (or SIGTERM). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = Mer.Version.class,
    sortOptions = false,
    description = {
      "Serves emotion recognition until interrupted (Ctrl-C, SIGTERM): the live page at /,"
          + " POST an audio file to /v1/recognize (optionally ?transcript=TEXT), stream audio over"
          + " the WebSocket /v1/stream (protocol mer-stream/1), GET /v1/health. See docs/server.md.",
      "On shutdown it stops accepting, ends open streams, finishes what is queued and releases"
          + " the model."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped cleanly",
      "1:the address could not be bound",
      "2:bad usage",
      "3:the model bundle or the device cannot be used",
      "4:unexpected error"
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin RecognizerOptions recognizer;

  @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
      description = "Address to listen on (0.0.0.0 for every interface: set --token-file and"
          + " --keystore too). Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "TCP port (0: any free port). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--keystore", paramLabel = "FILE",
      description = "PKCS#12 or JKS key store: serve https and wss with its certificate.")
  Path keyStore;

  @Option(names = "--keystore-password-env", paramLabel = "VAR", defaultValue = "MER_KEYSTORE_PASSWORD",
      description = "Environment variable holding the key store's password. Default: ${DEFAULT-VALUE}.")
  String keyStorePasswordEnv;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "Require Authorization: Bearer <the file's first line> on /v1/* (a file, so"
          + " the token never shows in the process list).")
  Path tokenFile;

  @Option(names = "--max-body-mb", paramLabel = "MB", defaultValue = "25",
      description = "Largest audio upload in MiB; larger ones get 413. Default: ${DEFAULT-VALUE}.")
  int maxBodyMb;

  @Option(names = "--max-audio-seconds", paramLabel = "S", defaultValue = "300",
      description = "Longest decoded upload accepted; longer gets 400. Default: ${DEFAULT-VALUE}.")
  int maxAudioSeconds;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "4",
      description = "Uploads recognised at once. Default: ${DEFAULT-VALUE}.")
  int workers;

  @Option(names = "--queue", paramLabel = "N", defaultValue = "16",
      description = "Uploads that may wait for a worker; more get 503. Default: ${DEFAULT-VALUE}.")
  int queue;

  @Option(names = "--max-streams", paramLabel = "N", defaultValue = "64",
      description = "Open /v1/stream connections; more get 503. Default: ${DEFAULT-VALUE}.")
  int maxStreams;

  @Option(names = "--max-message-kb", paramLabel = "KB", defaultValue = "1024",
      description = "Largest WebSocket message; larger closes with 1009. Default: ${DEFAULT-VALUE}.")
  int maxMessageKb;

  @Option(names = "--max-queued-seconds", paramLabel = "S", defaultValue = "30",
      description = "Audio of one stream waiting for recognition; more closes with 1013."
          + " Default: ${DEFAULT-VALUE}.")
  int maxQueuedSeconds;

  @Option(names = "--max-utterance-seconds", paramLabel = "S", defaultValue = "30",
      description = "Longest utterance of a stream (longer speech is cut; the bundle's ASR window"
          + " lowers it). Default: ${DEFAULT-VALUE}.")
  int maxUtteranceSeconds;

  @Option(names = "--max-batch", paramLabel = "N", defaultValue = "8",
      description = "Most utterances recognised in one batch, across streams. Default: ${DEFAULT-VALUE}.")
  int maxBatch;

  @Option(names = "--batch-wait-ms", paramLabel = "MS", defaultValue = "10",
      description = "How long a batch waits for more utterances. Default: ${DEFAULT-VALUE}.")
  int batchWaitMs;

  @Option(names = "--grace-seconds", paramLabel = "S", defaultValue = "30",
      description = "How long shutdown waits for work in flight. Default: ${DEFAULT-VALUE}.")
  int graceSeconds;

  @Override
  public Integer call() throws InterruptedException {
    ServerOptions options = options();
    // every recognition runs on a batch worker: that many calls at once
    EmotionRecognizer rec = recognizer.build(options.batchWorkers());
    MerServer server;
    try {
      server = MerServer.start(rec, options); // owns rec from here, even when it fails
    } catch (IOException e) {
      throw new CliException(Mer.INPUTS_FAILED, "cannot listen on " + host + ":" + port + ": "
          + e.getMessage());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mer-serve-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    out.println("mer: serving bundle " + rec.bundle().bundleId() + " on " + server.uri()
        + " (page /, POST /v1/recognize, WS /v1/stream, GET /v1/health); Ctrl-C to stop");
    out.flush();
    server.awaitClosed();
    return Mer.OK;
  }

  /** The server settings the options give (package-private for ServeCommandTest). */
  ServerOptions options() {
    if (maxBodyMb < 1 || maxBodyMb > 2000) {
      throw new CliException(Mer.USAGE, "--max-body-mb must be within [1, 2000], got "
          + maxBodyMb);
    }
    if (maxMessageKb < 1 || maxMessageKb > 1024 * 1024) {
      throw new CliException(Mer.USAGE, "--max-message-kb must be within [1, 1048576], got "
          + maxMessageKb);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new CliException(Mer.USAGE, "--host: unknown host '" + host + "'");
    }
    try {
      ServerOptions.Builder b = ServerOptions.builder()
          .host(address)
          .port(port)
          .maxBodyBytes(maxBodyMb * 1024 * 1024)
          .maxAudio(Duration.ofSeconds(maxAudioSeconds))
          .httpWorkers(workers)
          .httpQueue(queue)
          .maxStreams(maxStreams)
          .maxMessageBytes(maxMessageKb * 1024)
          .maxQueuedAudio(Duration.ofSeconds(maxQueuedSeconds))
          .maxUtterance(Duration.ofSeconds(maxUtteranceSeconds))
          .maxBatch(maxBatch)
          .batchWait(Duration.ofMillis(batchWaitMs))
          .shutdownGrace(Duration.ofSeconds(graceSeconds));
      if (keyStore != null) {
        String password = System.getenv(keyStorePasswordEnv);
        if (password == null) {
          throw new CliException(Mer.USAGE, "--keystore: set the password in the environment"
              + " variable " + keyStorePasswordEnv + " (or name another with"
              + " --keystore-password-env)");
        }
        if (!Files.isReadable(keyStore)) {
          throw new CliException(Mer.USAGE, "--keystore: cannot read " + keyStore);
        }
        b.tls(keyStore, password);
      }
      if (tokenFile != null) {
        b.bearerToken(readToken(tokenFile));
      }
      return b.build();
    } catch (IllegalArgumentException e) {
      throw new CliException(Mer.USAGE, e.getMessage());
    }
  }

  private static String readToken(Path file) {
    try {
      String token = Files.readAllLines(file).stream().findFirst().orElse("").strip();
      if (token.isEmpty()) {
        throw new CliException(Mer.USAGE, "--token-file: " + file + " has no token on its first line");
      }
      return token;
    } catch (IOException e) {
      throw new CliException(Mer.USAGE, "--token-file: cannot read " + file + ": " + e.getMessage());
    }
  }
}
