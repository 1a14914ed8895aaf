package io.mersdk.examples;

import io.mersdk.AudioException;
import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.audio.MicrophoneSource;
import io.mersdk.audio.SpeechSegment;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import javax.sound.sampled.AudioSystem;
import javax.sound.sampled.Mixer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Prints the emotion of each utterance as it is spoken into the microphone, until Ctrl-C. Runs as
 * {@code mer live} or on its own ({@code main}).
 */
@Command(
    name = "live",
    mixinStandardHelpOptions = true,
    versionProvider = Mer.Version.class,
    sortOptions = false,
    description = {
      "Listens to the microphone and prints the emotion of each utterance as it ends (after a"
          + " short pause), one line each: start and end (seconds since start), label, confidence,"
          + " transcript. Ctrl-C stops: the utterance in progress is still recognised."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:stopped cleanly",
      "1:the microphone could not be opened or capture failed",
      "2:bad usage",
      "3:the model bundle or the device cannot be used",
      "4:unexpected error"
    })
public final class LiveMicrophone implements Callable<Integer> {
  /** How long Ctrl-C waits for the last utterance to be recognised before the JVM goes. */
  private static final Duration SHUTDOWN_WAIT = Duration.ofSeconds(30);

  @Spec CommandSpec spec;

  @Mixin RecognizerOptions recognizer;

  @Option(names = "--mixer", paramLabel = "NAME",
      description = "Capture from the first mixer whose name contains NAME (default: the system's"
          + " default microphone).")
  String mixer;

  public static void main(String[] args) {
    Mer.configureLogging(args);
    System.exit(Mer.commandLine().execute(prepend("live", args)));
  }

  @Override
  public Integer call() throws InterruptedException {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    CountDownLatch closed = new CountDownLatch(1);
    try (EmotionRecognizer rec = recognizer.build();
        MicrophoneSource mic = microphone(rec.bundle().sampleRate())) {
      LiveLoop loop = new LiveLoop(mic, rec, (s, r) -> print(out, s, r),
          (s, e) -> err.println("mer: " + time(s) + " " + e.getMessage()));
      // On Ctrl-C the JVM runs this hook and halts when it returns: so it waits until the loop
      // has ended and the recogniser and the microphone are closed.
      Thread hook = new Thread(() -> {
        try {
          loop.stop(SHUTDOWN_WAIT);
          closed.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }, "mer-live-shutdown");
      try {
        mic.start(); // before the hook and the message: no microphone is one line and exit 1
        Runtime.getRuntime().addShutdownHook(hook);
        err.println("mer: listening (" + mic.description() + ", bundle "
            + rec.bundle().bundleId() + "); Ctrl-C to stop");
        err.flush();
        loop.run();
      } catch (AudioException e) {
        throw new CliException(Mer.INPUTS_FAILED, e.getMessage());
      }
      removeHook(hook);
    } finally {
      closed.countDown();
    }
    return Mer.OK;
  }

  private MicrophoneSource microphone(int sampleRate) {
    MicrophoneSource.Builder b = MicrophoneSource.builder().sampleRate(sampleRate);
    if (mixer != null) {
      Mixer.Info found = Arrays.stream(AudioSystem.getMixerInfo())
          .filter(m -> m.getName().contains(mixer))
          .findFirst()
          .orElseThrow(() -> new CliException(Mer.USAGE, "--mixer: no mixer name contains '"
              + mixer + "'; mixers: " + Arrays.stream(AudioSystem.getMixerInfo())
              .map(Mixer.Info::getName).collect(Collectors.joining(", "))));
      b.mixer(found);
    }
    return b.build();
  }

  static void print(PrintWriter out, SpeechSegment s, EmotionResult r) {
    if (r.isEmotion()) {
      out.printf(Locale.ROOT, "%s %-10s %.3f  %s%n", time(s), r.label(), r.confidence(),
          TableWriter.oneLine(r.transcript()));
    } else {
      out.printf(Locale.ROOT, "%s %s%n", time(s), Rows.NO_SPEECH);
    }
    out.flush();
  }

  private static String time(SpeechSegment s) {
    return String.format(Locale.ROOT, "[%7.2f s - %7.2f s]", s.start().toNanos() / 1e9,
        s.end().toNanos() / 1e9);
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running and waits for us
    }
  }

  private static String[] prepend(String first, String[] rest) {
    String[] all = new String[rest.length + 1];
    all[0] = first;
    System.arraycopy(rest, 0, all, 1, rest.length);
    return all;
  }
}
