package io.mersdk.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * The browser page: a fixed list of files in this jar (no path is ever mapped to the file
 * system), with a Content-Security-Policy that allows nothing but this server.
 */
final class StaticPages {
  static final String ROOT = "io/mersdk/server/web/";
  private static final Map<String, String> FILES = Map.of(
      "/", "index.html",
      "/index.html", "index.html",
      "/app.js", "app.js",
      "/chart.js", "chart.js",
      "/capture-worklet.js", "capture-worklet.js",
      "/style.css", "style.css");
  static final String CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:;"
      + " style-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none';"
      + " frame-ancestors 'none'";

  private final Map<String, byte[]> cache = new ConcurrentHashMap<>();

  boolean serve(String path, String method, Response response, Callback callback) {
    String file = FILES.get(path);
    if (file == null) {
      return false;
    }
    if (!method.equals("GET") && !method.equals("HEAD")) {
      response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
      response.setStatus(405);
      callback.succeeded();
      return true;
    }
    byte[] bytes = cache.computeIfAbsent(file, StaticPages::load);
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type(file));
    response.getHeaders().put("Content-Security-Policy", CSP);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-cache");
    response.write(true, method.equals("HEAD") ? ByteBuffer.allocate(0) : ByteBuffer.wrap(bytes),
        callback);
    return true;
  }

  static byte[] load(String file) {
    try (InputStream in = StaticPages.class.getClassLoader().getResourceAsStream(ROOT + file)) {
      if (in == null) {
        throw new IllegalStateException("resource " + ROOT + file + " is missing from the jar");
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String type(String file) {
    if (file.endsWith(".html")) {
      return "text/html; charset=utf-8";
    }
    if (file.endsWith(".js")) {
      return "text/javascript; charset=utf-8";
    }
    return "text/css; charset=utf-8";
  }
}
