#include "csv_config.h"

#include <sys/stat.h>

namespace sluice::csv {

namespace {

Status RejectUnknown(const Options& options, std::initializer_list<std::string_view> known,
                     const char* what) {
  std::vector<std::string> unknown = options.Unknown(known);
  if (unknown.empty()) return Status();
  std::string list;
  for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
  return InvalidArgument(std::string("unknown ") + what + " option '" + unknown[0] +
                         "'; known options are: " + list);
}

Status ParseOnError(const std::string& v, const char* key, OnError* out) {
  if (v == "fail") return *out = OnError::kFail, Status();
  if (v == "skip") return *out = OnError::kSkip, Status();
  return InvalidArgument(std::string("option '") + key + "': expected fail or skip, found '" + v +
                         "'");
}

Status ParseDelimiter(const std::string& v, char* out) {
  std::string d = v == "\\t" || v == "tab" ? std::string("\t") : v;
  if (d.size() != 1 || d[0] == '"' || d[0] == '\n' || d[0] == '\r' ||
      static_cast<unsigned char>(d[0]) >= 0x80)
    return InvalidArgument(
        "option 'delimiter': expected one ASCII character other than a quote "
        "or line break (or \"tab\"), found '" +
        v + "'");
  *out = d[0];
  return Status();
}

// A positive row count, or "all".
Status ParseSampleRows(const Options& options, uint64_t fallback, uint64_t* out) {
  if (!options.Has("sample_rows")) return *out = fallback, Status();
  if (options.GetString("sample_rows") == "all") return *out = kSampleAll, Status();
  int64_t sample = 0;
  SLUICE_RETURN_IF_ERROR(options.GetInt("sample_rows", 0, &sample));
  if (sample < 1)
    return InvalidArgument("option 'sample_rows': expected a positive integer or all, found " +
                           std::to_string(sample));
  *out = static_cast<uint64_t>(sample);
  return Status();
}

// A duration (sluice/option_spec.h: 500ms, 60s, 5m, 1h, 1d, 0) or "never".
Status ParseDuration(const Options& options, const char* key, uint64_t fallback, uint64_t* ms) {
  if (!options.Has(key)) return *ms = fallback, Status();
  std::string v = options.GetString(key);
  if (v == "never") return *ms = 0, Status();
  if (!ParseDurationOption(v, ms))
    return InvalidArgument(std::string("option '") + key +
                           "': expected a duration such as 500ms, 60s, 5m or 1h (0 or never: no "
                           "limit), found '" +
                           v + "'");
  return Status();
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
  SLUICE_RETURN_IF_ERROR(RejectUnknown(
      options, {"path", "sample_rows", "delimiter", "on_error", "incomplete_line_timeout"},
      "connection"));
  out->path = options.GetString("path");
  while (out->path.size() > 1 && out->path.back() == '/') out->path.pop_back();
  SLUICE_RETURN_IF_ERROR(CheckDirectory(out->path));
  SLUICE_RETURN_IF_ERROR(ParseSampleRows(options, 10000, &out->sample_rows));
  SLUICE_RETURN_IF_ERROR(
      ParseDuration(options, "incomplete_line_timeout", 60000, &out->incomplete_line_timeout_ms));
  if (options.Has("delimiter"))
    SLUICE_RETURN_IF_ERROR(ParseDelimiter(options.GetString("delimiter"), &out->delimiter));
  if (options.Has("on_error"))
    SLUICE_RETURN_IF_ERROR(ParseOnError(options.GetString("on_error"), "on_error", &out->on_error));
  return Status();
}

Status TableConfig::Parse(const Options& options, const ConnectionConfig& conn, TableConfig* out) {
  SLUICE_RETURN_IF_ERROR(RejectUnknown(
      options, {"on_error", "types", "null", "sample_rows", "incomplete_line_timeout"}, "table"));
  out->on_error = conn.on_error;
  out->types.clear();
  SLUICE_RETURN_IF_ERROR(ParseSampleRows(options, conn.sample_rows, &out->sample_rows));
  SLUICE_RETURN_IF_ERROR(ParseDuration(options, "incomplete_line_timeout",
                                       conn.incomplete_line_timeout_ms,
                                       &out->incomplete_line_timeout_ms));
  for (const auto& [key, value] : options.items()) {
    if (key == "sample_rows" || key == "incomplete_line_timeout") continue;
    if (key == "on_error") {
      SLUICE_RETURN_IF_ERROR(ParseOnError(value, "on_error", &out->on_error));
    } else if (key == "null") {
      out->has_null_text = true;
      out->null_text = value;
    } else if (key.rfind("types.", 0) == 0 && key.size() > 6) {
      Type t;
      if (!ParseTypeName(value, &t))
        return InvalidArgument("option '" + key +
                               "': expected one of int64, float64, bool, "
                               "string, timestamp, date, found '" +
                               value + "'");
      out->types.emplace_back(key.substr(6), t);
    } else {
      return InvalidArgument("option '" + key + "': expected types.<column>: <type>");
    }
  }
  return Status();
}

}  // namespace sluice::csv
