package io.mersdk.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assumptions;

/**
 * Headless Chromium driven over the DevTools protocol on a loopback port: evaluate JavaScript in
 * the page, take a screenshot. Debian's {@code chromium} package; scripts/test-all.sh installs it.
 */
final class Chromium implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Process process;
  private final WebSocket ws;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

  /** The browser binary, or a skip (a failure when CI is set: CI must have it). */
  static Path binary() {
    for (String p : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
      if (Files.isExecutable(Path.of(p))) {
        return Path.of(p);
      }
    }
    if (System.getenv("CI") != null) {
      throw new AssertionError("chromium is missing; scripts/test-all.sh installs it (apt-get install chromium)");
    }
    Assumptions.abort("chromium is not installed (apt-get install chromium)");
    return null;
  }

  /** Starts the browser on {@code url}; {@code fakeMic} is played as the microphone (or null). */
  static Chromium open(String url, Path fakeMic, Path profile) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(binary().toString(), "--headless", "--no-sandbox",
        "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--user-data-dir=" + profile,
        "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
        "--autoplay-policy=no-user-gesture-required", "--window-size=1100,1100",
        "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0"));
    if (fakeMic != null) {
      cmd.add("--use-file-for-fake-audio-capture=" + fakeMic);
    }
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(),
          StandardCharsets.UTF_8));
      String line;
      URI browser = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (browser == null && (line = err.readLine()) != null && System.nanoTime() < deadline) {
        int at = line.indexOf("DevTools listening on ");
        if (at >= 0) {
          browser = URI.create(line.substring(at + "DevTools listening on ".length()).trim());
        }
      }
      if (browser == null) {
        throw new IOException("chromium did not print its DevTools address");
      }
      Thread drain = new Thread(() -> {
        try {
          while (err.readLine() != null) {
            // chromium's own chatter; read so it never blocks on a full pipe
          }
        } catch (IOException ignored) {
          // the process ended
        }
      }, "chromium-stderr");
      drain.setDaemon(true);
      drain.start();
      HttpClient http = HttpClient.newHttpClient();
      URI list = URI.create("http://" + browser.getAuthority() + "/json/list");
      String pageWs = null;
      while (pageWs == null && System.nanoTime() < deadline) {
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(list).build(),
            HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode t : targets) {
          if (t.path("type").asText().equals("page")) {
            pageWs = t.path("webSocketDebuggerUrl").asText();
          }
        }
        if (pageWs == null) {
          Thread.sleep(100);
        }
      }
      return new Chromium(p, http, URI.create(pageWs));
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  private Chromium(Process process, HttpClient http, URI page) throws Exception {
    this.process = process;
    this.ws = http.newWebSocketBuilder().buildAsync(page, new WebSocket.Listener() {
      private final StringBuilder buf = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        buf.append(data);
        if (last) {
          try {
            JsonNode m = JSON.readTree(buf.toString());
            CompletableFuture<JsonNode> f = calls.remove(m.path("id").asInt(-1));
            if (f != null) {
              f.complete(m);
            }
          } catch (IOException ignored) {
            // not ours
          }
          buf.setLength(0);
        }
        w.request(1);
        return null;
      }
    }).get(30, TimeUnit.SECONDS);
  }

  JsonNode call(String method, ObjectNode params) throws Exception {
    int id = ids.incrementAndGet();
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    calls.put(id, f);
    ObjectNode m = JSON.createObjectNode().put("id", id).put("method", method);
    m.set("params", params == null ? JSON.createObjectNode() : params);
    ws.sendText(JSON.writeValueAsString(m), true).get(30, TimeUnit.SECONDS);
    JsonNode r = f.get(60, TimeUnit.SECONDS);
    if (r.has("error")) {
      throw new IOException(method + ": " + r.get("error"));
    }
    return r.path("result");
  }

  /** The value of a JavaScript expression in the page. */
  JsonNode eval(String expression) throws Exception {
    JsonNode r = call("Runtime.evaluate", JSON.createObjectNode().put("expression", expression)
        .put("returnByValue", true));
    return r.path("result").path("value");
  }

  void navigate(String url) throws Exception {
    call("Page.navigate", JSON.createObjectNode().put("url", url));
  }

  /** Waits for {@code condition} (polled), at most {@code limit}; false if it never held. */
  static boolean await(BooleanSupplier condition, Duration limit) throws InterruptedException {
    long deadline = System.nanoTime() + limit.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(250);
    }
    return condition.getAsBoolean();
  }

  void screenshot(Path png) throws Exception {
    JsonNode r = call("Page.captureScreenshot", JSON.createObjectNode().put("format", "png")
        .put("captureBeyondViewport", true));
    Files.createDirectories(png.getParent());
    Files.write(png, Base64.getDecoder().decode(r.path("data").asText()));
  }

  @Override
  public void close() throws Exception {
    try {
      ws.abort();
    } finally {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
  }
}
