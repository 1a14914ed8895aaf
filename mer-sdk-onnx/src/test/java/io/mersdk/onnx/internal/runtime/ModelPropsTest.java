package io.mersdk.onnx.internal.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import io.mersdk.onnx.testing.TestData;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ModelProps reads an ONNX file's metadata_props without ONNX Runtime (the oracle: the file was
 * written by onnx.helper.set_model_props, scripts/make_rewritten_fixtures.py), and the session
 * factory pre-packs by it.
 */
class ModelPropsTest {
  private static Path withProps() throws URISyntaxException {
    return Path.of(ModelPropsTest.class.getResource("/onnx/with-props.onnx").toURI());
  }

  @Test
  void readsTheMetadataOnnxWrote() throws Exception {
    assertThat(ModelProps.read(withProps())).containsEntry("mer.weights", "int8")
        .containsEntry("note", "written by mer_train quantize's mark_int8 for ModelPropsTest, ünïcode")
        .hasSize(2);
  }

  /** A graph of a committed (exported, fp32) bundle, whichever graphs that bundle has. */
  private static Path exportedGraph() throws IOException {
    try (var files = Files.list(TestData.bundles().get(0))) {
      return files.filter(f -> f.toString().endsWith(".onnx")).sorted().findFirst().orElseThrow();
    }
  }

  @Test
  void anExportedGraphHasNoWeightsMark() throws IOException {
    assertThat(ModelProps.read(exportedGraph())).doesNotContainKey("mer.weights");
  }

  @Test
  void garbageTruncatedAndMissingFilesGiveNoPropsAndNoException(@TempDir Path tmp) throws Exception {
    byte[] good = Files.readAllBytes(withProps());
    Path truncated = Files.write(tmp.resolve("truncated.onnx"), Arrays.copyOf(good, good.length - 7));
    Path garbage = Files.write(tmp.resolve("garbage.onnx"), "not an onnx file at all \u0000\u00ff".getBytes());
    Path empty = Files.write(tmp.resolve("empty.onnx"), new byte[0]);
    byte[] huge = new byte[] {(byte) 0x3a, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x0f};
    Path badLength = Files.write(tmp.resolve("length.onnx"), huge);
    for (Path p : new Path[] {truncated, garbage, empty, badLength, tmp.resolve("missing.onnx")}) {
      assertThat(ModelProps.read(p)).as(p.getFileName().toString()).doesNotContainKey("mer.weights");
    }
  }

  @Test
  void theCpuFactoryPrepacksInt8GraphsByDefaultAndObeysAnExplicitChoice() throws Exception {
    Path fp32 = exportedGraph();
    try (SessionFactory auto = SessionFactory.cpu(1);
        SessionFactory on = SessionFactory.cpu(1, Optional.of(true));
        SessionFactory off = SessionFactory.cpu(1, Optional.of(false))) {
      assertThat(auto.prepacks(withProps())).isTrue();
      assertThat(auto.prepacks(fp32)).isFalse();
      assertThat(on.prepacks(fp32)).isTrue();
      assertThat(off.prepacks(withProps())).isFalse();
      auto.open(withProps()).close(); // both option sets open a session
      auto.open(fp32).close();
    }
  }
}
