package io.mersdk.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS from a key store: https answers, plain http on the same port does not. */
class TlsTest {
  @TempDir Path dir;

  @Test
  void aKeyStoreTurnsOnHttps() throws Exception {
    Path ks = dir.resolve("server.p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p = new ProcessBuilder(keytool, "-genkeypair", "-alias", "mer", "-keyalg", "RSA",
        "-keysize", "2048", "-validity", "2", "-dname", "CN=localhost", "-ext",
        "san=ip:127.0.0.1", "-storetype", "PKCS12", "-keystore", ks.toString(), "-storepass",
        "changeit", "-keypass", "changeit").redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();

    try (MerServer server = TestServers.start(ServerOptions.builder().tls(ks, "changeit"))) {
      assertThat(server.uri().getScheme()).isEqualTo("https");
      KeyStore trust = KeyStore.getInstance("PKCS12");
      try (InputStream in = Files.newInputStream(ks)) {
        trust.load(in, "changeit".toCharArray());
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, tmf.getTrustManagers(), null);
      HttpClient https = HttpClient.newBuilder().sslContext(ssl).build();
      HttpResponse<String> r = https.send(HttpRequest.newBuilder(
          URI.create(server.uri() + "/v1/health")).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.body()).contains("fake-server");

      URI plain = URI.create("http://127.0.0.1:" + server.address().getPort() + "/v1/health");
      boolean refused;
      try {
        int code = HttpClient.newHttpClient().send(HttpRequest.newBuilder(plain).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
        refused = code >= 400;
      } catch (java.io.IOException e) {
        refused = true;
      }
      assertThat(refused).isTrue();
    }
  }
}
