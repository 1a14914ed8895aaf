package io.mersdk.examples;

/** How {@code recognize} writes its rows to stdout. */
enum OutputFormat {
  /** Aligned columns for people; the transcript last. */
  table,
  /** One JSON object per line (the HTTP server's shape plus file and segment times). */
  jsonl,
  /** RFC 4180 CSV with a header row. */
  csv
}
