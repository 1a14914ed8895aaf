package io.mersdk.audio;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.module.Configuration;
import java.lang.module.ModuleFinder;
import java.lang.module.ResolvedModule;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The module graph module-info.java promises, booted for real: io.mersdk.audio (explicit), the
 * API and slf4j (explicit), and the javax.sound provider mp3spi with its dependencies as automatic
 * modules, resolved with service binding in a module layer of their own. Nothing requires the
 * codec modules: they must come in by binding alone (our {@code uses AudioFileReader}), and MP3
 * must then decode to the very samples the class-path tests get; FLAC (our own decoder) too.
 *
 * <p>Surefire runs the other tests on the class path (see the pom), where module-info.java has no
 * effect; this is the test that would catch a codec jar that cannot be an automatic module (a
 * split package, a bad service entry) or a {@code uses} that is missing.
 */
class ModuleLayerTest {
  /** A class of each jar the layer needs (jars are found where the test's class path has them). */
  private static final String[] JAR_CLASSES = {
    "io.mersdk.audio.AudioSources", // our module (target/classes)
    "io.mersdk.EmotionRecognizer", // mer-sdk-api
    "io.mersdk.vad.SileroVad", // mer-sdk-vad, the segmenter's frame source (Silero VAD)
    "ai.onnxruntime.OrtEnvironment", // onnxruntime, which Silero runs on
    "org.slf4j.Logger", // slf4j-api
    "org.slf4j.simple.SimpleServiceProvider", // slf4j-simple (quiet logging in the layer)
    "javazoom.spi.mpeg.sampled.file.MpegAudioFileReader", // mp3spi
    "javazoom.jl.decoder.Decoder", // jlayer, mp3spi's decoder
    "org.tritonus.share.sampled.file.TAudioFileReader", // tritonus-share, mp3spi's base classes
    "com.jcraft.jorbis.Info", // jorbis (Ogg Vorbis, and the Ogg framing for Opus)
    "io.github.jaredmdobson.concentus.OpusDecoder", // concentus (Ogg Opus)
  };

  @TempDir static Path dir;
  static Path flac;
  static Path mp3;
  static ModuleLayer layer;

  @BeforeAll
  static void bootLayer() throws Exception {
    Path[] jars = new Path[JAR_CLASSES.length];
    for (int i = 0; i < jars.length; i++) {
      jars[i] = location(Class.forName(JAR_CLASSES[i]));
    }
    ModuleFinder finder = ModuleFinder.of(jars);
    Configuration cf = ModuleLayer.boot().configuration()
        .resolveAndBind(finder, ModuleFinder.of(), Set.of("io.mersdk.audio"));
    // Parent: the platform loader, so no class can come from the test's class path.
    layer = ModuleLayer.boot().defineModulesWithOneLoader(cf, ClassLoader.getPlatformClassLoader());

    if (!TestAudio.toolsAvailable()) {
      return; // the decoding tests call TestAudio.assumeTools()
    }
    Path wav = TestAudio.speak(dir, "speech.wav", "Modules, services and codecs, all bound.");
    flac = TestAudio.sox(wav, dir.resolve("speech.flac"), "-b", "24", "-r", "48000");
    mp3 = TestAudio.sox(wav, dir.resolve("speech.mp3"), "-r", "44100", "-C", "128");
  }

  @Test
  void theCodecModulesAreBoundAsServiceProviders() {
    Configuration cf = layer.configuration();
    Set<String> names = cf.modules().stream().map(ResolvedModule::name)
        .collect(Collectors.toSet());
    assertThat(names).contains("io.mersdk.audio", "io.mersdk.api", "io.mersdk.vad", "org.slf4j",
        "mp3spi", "jlayer", "tritonus.share");
    ResolvedModule audio = cf.findModule("io.mersdk.audio").orElseThrow();
    assertThat(audio.reference().descriptor().isAutomatic()).isFalse();
    assertThat(audio.reference().descriptor().uses())
        .contains("javax.sound.sampled.spi.AudioFileReader");
    // Nothing requires the codecs: they are in the graph because they provide what is used.
    for (ResolvedModule m : cf.modules()) {
      assertThat(m.reference().descriptor().requires())
          .noneMatch(r -> r.name().equals("mp3spi"));
    }
    assertThat(cf.findModule("mp3spi").orElseThrow().reference().descriptor().provides())
        .anyMatch(p -> p.service().equals("javax.sound.sampled.spi.AudioFileReader"));
    // And the layer's classes are its own, not the class path's.
    Module ours = layer.findModule("io.mersdk.audio").orElseThrow();
    assertThat(ours).isNotSameAs(AudioSources.class.getModule());
    assertThat(ours.isNamed()).isTrue();
  }

  @Test
  void flacDecodesThroughTheModuleGraphAsOnTheClassPath() throws Exception {
    TestAudio.assumeTools();
    assertThat(readMonoInLayer(flac, 16000)).containsExactly(
        AudioSources.of(flac).readMono(16000));
  }

  @Test
  void mp3DecodesThroughTheModuleGraphAsOnTheClassPath() throws Exception {
    TestAudio.assumeTools();
    assertThat(readMonoInLayer(mp3, 16000)).containsExactly(
        AudioSources.of(mp3).readMono(16000));
  }

  /** {@code AudioSources.of(file).readMono(rate)} with the layer's classes. */
  private static float[] readMonoInLayer(Path file, int rate) throws Exception {
    ClassLoader loader = layer.findLoader("io.mersdk.audio");
    Class<?> sources = loader.loadClass("io.mersdk.audio.AudioSources");
    Class<?> source = loader.loadClass("io.mersdk.source.AudioSource");
    assertThat(sources.getModule().getLayer()).isSameAs(layer);
    Method of = sources.getMethod("of", Path.class);
    Method readMono = source.getMethod("readMono", int.class);
    // javax.sound finds its format converters (FLAC -> PCM, MPEG -> PCM) with ServiceLoader.load
    // (Class), i.e. through the thread's context loader. In an application on the module path
    // that is the loader of the boot layer's modules; here it must be the layer's.
    Thread t = Thread.currentThread();
    ClassLoader before = t.getContextClassLoader();
    t.setContextClassLoader(loader);
    try {
      return (float[]) readMono.invoke(of.invoke(null, file), rate);
    } catch (InvocationTargetException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    } finally {
      t.setContextClassLoader(before);
    }
  }

  private static Path location(Class<?> c) throws URISyntaxException {
    return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
  }
}
