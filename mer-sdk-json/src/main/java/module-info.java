/** The JSON form of mer-sdk results and errors: {@link io.mersdk.json.ResultJson}. */
module io.mersdk.json {
  requires transitive io.mersdk.api;
  requires transitive com.fasterxml.jackson.databind;

  exports io.mersdk.json;
}
