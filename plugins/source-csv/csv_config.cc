#include "csv_config.h"

#include <sys/stat.h>

namespace sluice::csv {

namespace {

Status ParseDelimiter(const std::string& v, char* out) {
  std::string d = v == "\\t" || v == "tab" ? std::string("\t") : v;
  if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r' ||
      static_cast<unsigned char>(d[0]) >= 0x80)
    return InvalidOption("delimiter",
                         "one ASCII character other than a quote or line break (or \"tab\")", v);
  *out = d[0];
  return Status();
}

// A positive row count, or "all" (kSampleAll); *out unchanged when absent.
Status ReadSampleRows(const Options& options, uint64_t* out) {
  if (options.GetString("sample_rows") == "all") {
    *out = kSampleAll;
    return Status();
  }
  if (!options.Has("sample_rows")) return Status();
  int64_t sample = 0;
  SLUICE_RETURN_IF_ERROR(options.Read(kCsvOptions, "sample_rows", &sample));
  *out = static_cast<uint64_t>(sample);
  return Status();
}

// on_error as OnError; *out unchanged when absent.
Status ReadOnError(const Options& options, OnError* out) {
  if (!options.Has("on_error")) return Status();
  std::string v;
  SLUICE_RETURN_IF_ERROR(options.Read(kCsvOptions, "on_error", &v));
  *out = v == "skip" ? OnError::kSkip : OnError::kFail;
  return Status();
}

// incomplete_line_timeout in ms (never: 0); *ms unchanged when absent.
Status ReadTimeout(const Options& options, uint64_t* ms) {
  if (!options.Has("incomplete_line_timeout")) return Status();
  return options.Read(kCsvOptions, "incomplete_line_timeout", ms);
}

Status CheckDirectory(const std::string& path) {
  if (path.empty())
    return InvalidArgument("option 'path' is required: the directory holding the tables");
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return IoError("option 'path': " + path, errno);
  if (!S_ISDIR(st.st_mode))
    return FailedPrecondition("option 'path': " + path + " is not a directory");
  return Status();
}

}  // namespace

Status ConnectionConfig::Parse(const Options& options, ConnectionConfig* out) {
  SLUICE_RETURN_IF_ERROR(options.Check(kCsvOptions, OptionScope::kInstance));
  SLUICE_RETURN_IF_ERROR(options.Read(kCsvOptions, "path", &out->path));
  while (out->path.size() > 1 && out->path.back() == '/') out->path.pop_back();
  SLUICE_RETURN_IF_ERROR(CheckDirectory(out->path));
  out->sample_rows = 10000;
  SLUICE_RETURN_IF_ERROR(ReadSampleRows(options, &out->sample_rows));
  SLUICE_RETURN_IF_ERROR(
      options.Read(kCsvOptions, "incomplete_line_timeout", &out->incomplete_line_timeout_ms));
  if (options.Has("delimiter"))
    SLUICE_RETURN_IF_ERROR(ParseDelimiter(options.GetString("delimiter"), &out->delimiter));
  return ReadOnError(options, &out->on_error);
}

Status TableConfig::Parse(const Options& options, const ConnectionConfig& conn, TableConfig* out) {
  SLUICE_RETURN_IF_ERROR(options.Check(kCsvOptions, OptionScope::kTable));
  out->on_error = conn.on_error;
  out->sample_rows = conn.sample_rows;
  out->incomplete_line_timeout_ms = conn.incomplete_line_timeout_ms;
  SLUICE_RETURN_IF_ERROR(ReadSampleRows(options, &out->sample_rows));
  SLUICE_RETURN_IF_ERROR(ReadTimeout(options, &out->incomplete_line_timeout_ms));
  SLUICE_RETURN_IF_ERROR(ReadOnError(options, &out->on_error));
  out->has_null_text = options.Has("null");
  out->null_text = options.GetString("null");
  std::vector<std::pair<std::string, std::string>> types;
  SLUICE_RETURN_IF_ERROR(options.Read(kCsvOptions, "types", &types));
  out->types.clear();
  for (const auto& [column, name] : types) {
    Type t;
    ParseTypeName(name, &t);  // the declaration took only type names
    out->types.emplace_back(column, t);
  }
  return Status();
}

}  // namespace sluice::csv
