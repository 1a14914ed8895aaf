package io.mersdk.examples;

import io.mersdk.EmotionRecognizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code mer serve}: runs {@link EmotionServer} until Ctrl-C (or SIGTERM). */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    versionProvider = Mer.Version.class,
    sortOptions = false,
    description = {
      "Serves emotion recognition over HTTP until interrupted (Ctrl-C, SIGTERM): POST an audio file"
          + " to /recognize (optionally ?transcript=TEXT) for a JSON result; GET /health.",
      "On shutdown it stops accepting, finishes the requests in flight and releases the model."
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
      description = "Address to listen on (0.0.0.0 for every interface). Default: ${DEFAULT-VALUE}.")
  String host;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "8080",
      description = "TCP port (0: any free port). Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(names = "--max-body-mb", paramLabel = "MB", defaultValue = "25",
      description = "Largest audio upload in MiB; larger ones get 413. Default: ${DEFAULT-VALUE}.")
  int maxBodyMb;

  @Option(names = "--max-audio-seconds", paramLabel = "S", defaultValue = "300",
      description = "Longest decoded audio accepted; longer gets 400. Default: ${DEFAULT-VALUE}.")
  int maxAudioSeconds;

  @Option(names = "--workers", paramLabel = "N", defaultValue = "4",
      description = "Requests recognised at once. Default: ${DEFAULT-VALUE}.")
  int workers;

  @Option(names = "--queue", paramLabel = "N", defaultValue = "64",
      description = "Requests that may wait for a worker; more get 503. Default: ${DEFAULT-VALUE}.")
  int queue;

  @Option(names = "--grace-seconds", paramLabel = "S", defaultValue = "30",
      description = "How long shutdown waits for requests in flight. Default: ${DEFAULT-VALUE}.")
  int graceSeconds;

  @Override
  public Integer call() throws InterruptedException {
    EmotionServer.Options options = options();
    EmotionRecognizer rec = recognizer.build();
    EmotionServer server;
    try {
      server = EmotionServer.start(rec, options); // owns rec from here, even when it fails
    } catch (IOException e) {
      throw new CliException(Mer.INPUTS_FAILED, "cannot listen on " + host + ":" + port + ": "
          + e.getMessage());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "mer-serve-shutdown"));
    PrintWriter out = spec.commandLine().getOut();
    out.println("mer: serving bundle " + rec.bundle().bundleId() + " on " + server.uri()
        + " (POST /recognize, GET /health); Ctrl-C to stop");
    out.flush();
    server.awaitClosed();
    return Mer.OK;
  }

  private EmotionServer.Options options() {
    if (maxBodyMb < 1 || maxBodyMb > 2000) {
      throw new CliException(Mer.USAGE, "--max-body-mb must be within [1, 2000], got "
          + maxBodyMb);
    }
    InetAddress address;
    try {
      address = InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new CliException(Mer.USAGE, "--host: unknown host '" + host + "'");
    }
    try {
      return EmotionServer.Options.builder()
          .host(address)
          .port(port)
          .maxBodyBytes(maxBodyMb * 1024 * 1024)
          .threads(workers)
          .queue(queue)
          .shutdownGrace(Duration.ofSeconds(graceSeconds))
          .maxAudio(Duration.ofSeconds(maxAudioSeconds))
          .build();
    } catch (IllegalArgumentException e) {
      throw new CliException(Mer.USAGE, e.getMessage());
    }
  }
}
