/** The JSON form of mer-sdk results and errors: {@link io.mersdk.json.ResultJson}; of calls: {@link
 * io.mersdk.json.CallJson}. */
module io.mersdk.json {
  requires transitive io.mersdk.api;
  requires transitive com.fasterxml.jackson.databind;
  requires static io.mersdk.audio; // CallJson only; an optional dependency

  exports io.mersdk.json;
}
