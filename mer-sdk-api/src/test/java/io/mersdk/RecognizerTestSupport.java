package io.mersdk;

import io.mersdk.testkit.FakeBackend;
import java.nio.file.Path;

final class RecognizerTestSupport {
  private RecognizerTestSupport() {}

  static EmotionRecognizer.Builder builder() {
    FakeBackend.reset();
    // The fake backend never reads the folder; the loader that owns folder checks is the backend's.
    return EmotionRecognizer.builder().bundle(Path.of("fake-bundle"));
  }

  /** 0.5 s at 16 kHz whose first sample sets the fake's p(happy) - 0.5. */
  static float[] speech(float first) {
    float[] s = new float[8000];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (0.3 * Math.sin(i * 0.05));
    }
    s[0] = first;
    return s;
  }

  static float[] silence() {
    return new float[8000];
  }
}
