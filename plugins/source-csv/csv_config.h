// Options of the csv source: per connection and per table (endpoint).
// docs/source-csv.md lists them with their defaults.
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_CONFIG_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_CONFIG_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sluice/host_services.h"
#include "sluice/option_spec.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::csv {

// What to do with a row that cannot be read (see docs, "Bad rows").
enum class OnError { kFail, kSkip };

// sample_rows: all: every row of the table.
constexpr uint64_t kSampleAll = UINT64_MAX;

// The options it takes (sluice/option_spec.h): a connection's, and an
// endpoint's table options (Table(): both; TableOnly(): the endpoint only).
// The host checks a config against them before anything runs; that `path`
// is a directory and the delimiter's character are checked at creation.
inline constexpr OptionSpec kCsvOptions[] = {
    opt::Path("path", "the directory holding the tables").Required(),
    opt::Int("sample_rows", "rows Describe() reads to find the columns' types; all: every row")
        .Range(1, INT64_MAX)
        .Words("all")
        .Default("10000")
        .Table(),
    opt::String("delimiter", "one ASCII character, or tab").Default(","),
    opt::Enum("on_error", "fail|skip", "what a row that cannot be read does")
        .Default("fail")
        .Table(),
    opt::Duration("incomplete_line_timeout",
                  "how long a last line without a line break may wait; 0 or never: forever")
        .Words("never=0")
        .Default("60s")
        .Table(),
    opt::Enum("types", "int64|float64|bool|string|timestamp|date", "a column's type, by name")
        .Map()
        .TableOnly(),
    opt::String("null", "the text that stands for a null value").TableOnly(),
};

struct ConnectionConfig {
  std::string path;              // absolute directory holding the tables
  uint64_t sample_rows = 10000;  // rows Describe() looks at; kSampleAll = every row
  char delimiter = ',';
  OnError on_error = OnError::kFail;
  // How long the reader waits for the rest of an incomplete last line (a
  // missing line break, an open quote, too few fields) after the file last
  // changed, before it becomes an error naming the line. 0 = forever.
  uint64_t incomplete_line_timeout_ms = 60000;
  // Read buffer size in bytes. Not a user option: tests shrink it to hit
  // buffer boundaries.
  size_t buffer_size = size_t{1} << 20;

  // Parses connection options. InvalidArgument naming the option when a
  // value is malformed or a key is unknown (the message lists known keys);
  // NotFound/FailedPrecondition when `path` is not an existing directory.
  static Status Parse(const Options& options, ConnectionConfig* out);
};

// The extension of a connection's table files: "tsv" with a tab
// delimiter, else "csv".
inline std::string TableExtension(const ConnectionConfig& conn) {
  return conn.delimiter == '\t' ? "tsv" : "csv";
}

struct TableConfig {
  OnError on_error = OnError::kFail;
  uint64_t sample_rows = 10000;                     // Default: the connection's
  uint64_t incomplete_line_timeout_ms = 60000;      // Default: the connection's
  std::vector<std::pair<std::string, Type>> types;  // "types.<column>" overrides
  bool has_null_text = false;
  std::string null_text;  // unquoted text read as null besides the empty field

  // Parses an endpoint's table options; on_error, sample_rows and
  // incomplete_line_timeout default to the connection's. InvalidArgument on
  // an unknown key or bad value.
  static Status Parse(const Options& options, const ConnectionConfig& conn, TableConfig* out);
};

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_CONFIG_H_
