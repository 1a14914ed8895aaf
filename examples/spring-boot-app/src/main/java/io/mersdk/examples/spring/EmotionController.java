package io.mersdk.examples.spring;

import io.mersdk.AudioException;
import io.mersdk.EmotionResult;
import io.mersdk.MerException;
import io.mersdk.Utterance;
import io.mersdk.audio.AudioSources;
import io.mersdk.audio.DecodeOptions;
import io.mersdk.json.ResultJson;
import io.mersdk.source.AudioSource;
import io.mersdk.spring.EmotionRecognitionService;
import java.io.IOException;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;

/**
 * {@code POST /emotion}, multipart field {@code file} (any format mer-sdk-audio reads) and optional
 * {@code transcript} (skips ASR): 200 with the result in the shared JSON shape ({@link ResultJson},
 * the same bytes as the CLI's and the server's). Bad audio is 400, a closed recogniser 503, a model
 * failure 500, each with the JSON of a failed result.
 *
 * <p>The body is already JSON text from our codec (Jackson 2), so it goes out as a String: Spring's
 * Jackson 3 message converter never sees our types.
 */
@RestController
public class EmotionController {
  private final EmotionRecognitionService service;
  private final DecodeOptions decode;

  public EmotionController(EmotionRecognitionService service,
      @Value("${example.max-audio:PT60S}") Duration maxAudio) {
    this.service = service;
    this.decode = DecodeOptions.builder().maxDuration(maxAudio).build();
  }

  @PostMapping(path = "/emotion", consumes = MediaType.MULTIPART_FORM_DATA_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  public ResponseEntity<String> recognize(@RequestParam("file") MultipartFile file,
      @RequestParam(name = "transcript", required = false) String transcript) throws IOException {
    String name = file.getOriginalFilename() == null ? "upload" : file.getOriginalFilename();
    AudioSource source = AudioSources.of(file.getBytes(), name, decode);
    EmotionResult r = transcript == null
        ? service.recognize(source)
        : service.recognize(Utterance.of(
            source.readMono(service.recognizer().bundle().sampleRate()), transcript));
    return json(HttpStatus.OK, r);
  }

  @ExceptionHandler(AudioException.class)
  ResponseEntity<String> badAudio(AudioException e) {
    return json(HttpStatus.BAD_REQUEST, failed(e));
  }

  @ExceptionHandler(MerException.class)
  ResponseEntity<String> failedInference(MerException e) {
    return json(HttpStatus.INTERNAL_SERVER_ERROR, failed(e));
  }

  /** After the context closed the recogniser (shutdown); any other IllegalStateException is a bug: 500. */
  @ExceptionHandler(IllegalStateException.class)
  ResponseEntity<String> closed(IllegalStateException e) {
    if (!service.recognizer().isClosed()) {
      throw e;
    }
    return json(HttpStatus.SERVICE_UNAVAILABLE,
        failed(new MerException("the recogniser is shutting down: " + e.getMessage(), e)));
  }

  private EmotionResult failed(MerException e) {
    return EmotionResult.failed(e).device(service.recognizer().device())
        .bundleId(service.recognizer().bundle().bundleId()).build();
  }

  private static ResponseEntity<String> json(HttpStatus status, EmotionResult r) {
    return ResponseEntity.status(status).contentType(MediaType.APPLICATION_JSON)
        .body(ResultJson.toJson(r));
  }
}
