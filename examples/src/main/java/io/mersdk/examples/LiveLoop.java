package io.mersdk.examples;

import io.mersdk.EmotionRecognizer;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.audio.MicrophoneSource;
import io.mersdk.audio.SpeechSegment;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * Recognises utterances as the microphone hands them over, until {@link #stop()}. Each result
 * goes to {@code heard}; a failed utterance goes to {@code failed} and the loop goes on.
 */
final class LiveLoop {
  /** How often the loop looks at the stop flag while nobody speaks. */
  private static final Duration POLL = Duration.ofMillis(200);

  private final MicrophoneSource mic;
  private final EmotionRecognizer recognizer;
  private final BiConsumer<SpeechSegment, EmotionResult> heard;
  private final BiConsumer<SpeechSegment, MerException> failed;
  private final CountDownLatch finished = new CountDownLatch(1);
  private volatile boolean stopRequested;

  LiveLoop(MicrophoneSource mic, EmotionRecognizer recognizer,
      BiConsumer<SpeechSegment, EmotionResult> heard,
      BiConsumer<SpeechSegment, MerException> failed) {
    this.mic = mic;
    this.recognizer = recognizer;
    this.heard = heard;
    this.failed = failed;
  }

  /**
   * Starts the microphone (unless the caller already has) and recognises until {@link #stop()} or until capture ends by itself
   * (device gone, {@code maxDuration} reached); then the utterance that was in progress is
   * recognised too.
   *
   * @throws io.mersdk.AudioException if the microphone cannot be opened or capture fails
   */
  void run() throws InterruptedException {
    try {
      if (!mic.isCapturing()) {
        mic.start();
      }
      while (!stopRequested && mic.isCapturing()) {
        Optional<SpeechSegment> u = mic.nextUtterance(POLL);
        if (u.isPresent()) {
          recognize(u.get());
        }
      }
      mic.stop(); // completes the utterance in progress
      for (SpeechSegment s : mic.drainUtterances()) {
        recognize(s);
      }
    } finally {
      mic.stop();
      finished.countDown();
    }
  }

  /** Asks the loop to end and waits (up to {@code timeout}) until it has. */
  boolean stop(Duration timeout) throws InterruptedException {
    stopRequested = true;
    return finished.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  private void recognize(SpeechSegment s) {
    try {
      heard.accept(s, recognizer.recognize(s.samples()));
    } catch (MerException e) {
      failed.accept(s, e);
    }
  }
}
