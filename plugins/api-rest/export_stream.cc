#include "export_stream.h"

#include <simdjson.h>

#include <charconv>
#include <cmath>

#include "sluice/timefmt.h"

namespace sluice::rest {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool SameAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] | 0x20) : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

void AppendChunk(std::string_view data, std::string* out) {
  char hex[20];
  auto [end, ec] = std::to_chars(hex, hex + sizeof hex, data.size(), 16);
  (void)ec;
  out->append(hex, end).append("\r\n").append(data).append("\r\n");
}

}  // namespace

ExportFormat AcceptedExport(std::string_view accept) {
  while (!accept.empty()) {
    size_t comma = accept.find(',');
    std::string_view type = accept.substr(0, comma);
    type = Trim(type.substr(0, type.find(';')));
    if (SameAscii(type, "text/csv")) return ExportFormat::kCsv;
    if (SameAscii(type, "application/x-ndjson") || SameAscii(type, "application/ndjson"))
      return ExportFormat::kNdjson;
    if (SameAscii(type, "application/json") || type == "*/*" || SameAscii(type, "application/*"))
      return ExportFormat::kNone;
    if (comma == std::string_view::npos) break;
    accept.remove_prefix(comma + 1);
  }
  return ExportFormat::kNone;
}

RecordText::RecordText(const Schema& schema, ExportFormat format)
    : schema_(schema), format_(format), json_(schema) {}

void RecordText::Select(const std::vector<uint32_t>& fields) {
  fields_ = fields;
  json_.Select(fields);
}

void RecordText::AppendCsvField(std::string_view text, std::string* out) {
  bool quote = text.empty() || text.find_first_of(",\"\r\n") != std::string_view::npos ||
               text.front() == ' ' || text.front() == '\t' || text.back() == ' ' ||
               text.back() == '\t';
  if (!quote) return void(out->append(text));
  out->push_back('"');
  for (char c : text) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void RecordText::AppendHeader(std::string* out) const {
  if (format_ != ExportFormat::kCsv) return;
  size_t n = fields_.empty() ? schema_.fields.size() : fields_.size();
  for (size_t k = 0; k < n; ++k) {
    if (k > 0) out->push_back(',');
    AppendCsvField(schema_.fields[fields_.empty() ? k : fields_[k]].name, out);
  }
  out->append("\r\n");
}

Status RecordText::Append(std::string_view row, std::string* out) {
  if (format_ == ExportFormat::kNdjson) {
    SLUICE_RETURN_IF_ERROR(json_.Append(out, row));
    out->push_back('\n');
    return Status();
  }
  values_.resize(schema_.fields.size());
  RowReader reader(schema_, row);
  Value v;
  while (reader.Next(&v)) values_[reader.index()] = v;
  if (!reader.ok() || !reader.AtCleanEnd())
    return Internal("malformed row from the query service: " + reader.error());
  size_t n = fields_.empty() ? values_.size() : fields_.size();
  for (size_t k = 0; k < n; ++k) {
    if (k > 0) out->push_back(',');
    const Value& x = values_[fields_.empty() ? k : fields_[k]];
    if (x.null) continue;  // an empty unquoted field: null
    switch (x.type) {
      case Type::kInt64: {
        char buf[24];
        auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x.i);
        (void)ec;
        out->append(buf, end);
        break;
      }
      case Type::kFloat64:
        if (std::isfinite(x.f)) AppendJsonDouble(out, x.f);  // NaN, ±Inf: null
        break;
      case Type::kBool: out->append(x.i != 0 ? "true" : "false"); break;
      case Type::kString: AppendCsvField(x.str, out); break;
      case Type::kTimestamp: AppendTimestamp(out, x.i); break;
      case Type::kDate: AppendDate(out, static_cast<int32_t>(x.i)); break;
    }
  }
  out->append("\r\n");
  return Status();
}

Status PrepareExport(std::string_view query_json, ExportCursor* c) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (query_json.find_first_not_of(" \t\r\n") == std::string_view::npos) query_json = "{}";
  if (parser.parse(query_json.data(), query_json.size()).get(doc) != simdjson::SUCCESS ||
      !doc.is_object())
    return InvalidArgument("query must be a JSON object");
  c->limit = UINT64_MAX;
  c->skip = 0;
  std::string rest;
  JsonWriter w(&rest);
  w.BeginObject();
  simdjson::dom::object o;
  if (doc.get_object().get(o) != simdjson::SUCCESS)
    return InvalidArgument("query must be a JSON object");
  for (auto [key, value] : o) {
    if (key == "$after") {
      c->after = simdjson::minify(value);
      continue;
    }
    if (key == "$limit" || key == "$skip") {
      uint64_t n = 0;
      if (value.get_uint64().get(n) != simdjson::SUCCESS)
        return InvalidArgument(std::string(key) + " must be a non-negative integer");
      (key == "$limit" ? c->limit : c->skip) = n;
      continue;
    }
    w.Key(key);
    w.Raw(simdjson::minify(value));
  }
  w.EndObject();
  c->query = std::move(rest);
  return Status();
}

Status ExportPage(const ApiHost& api, const ApiHost::View& view, ExportFormat format,
                  ExportCursor* c, std::string* out, QueryInfo* info) {
  uint64_t want = std::min<uint64_t>(kExportPage, c->limit - c->written);
  std::string q = c->query;  // {...}: append the page's members before the '}'
  q.pop_back();
  bool empty = q.size() == 1;
  auto member = [&](const char* key) {
    if (!empty) q.push_back(',');
    empty = false;
    AppendJsonString(&q, key);
    q.push_back(':');
  };
  member("$limit");
  q += std::to_string(want);
  if (c->written == 0 && c->skip > 0) {
    member("$skip");
    q += std::to_string(c->skip);
  }
  if (!c->after.empty()) {
    member("$after");
    q += c->after;
  }
  q.push_back('}');
  const Schema& schema = view.schema();
  RecordText text(schema, format);
  std::string last;
  uint64_t rows_read = 0;
  Status row_error;
  bool started = false;
  Status s = api.Query(
      view, q,
      [&](const sluice_row_batch& rows) {
        if (!started) {
          started = true;
          text.Select(info->select);
          if (c->written == 0) text.AppendHeader(out);
        }
        for (uint32_t i = 0; i < rows.row_count && row_error.ok(); ++i)
          row_error = text.Append(BatchRow(rows, i), out);
        if (rows.row_count > 0) last.assign(BatchRow(rows, rows.row_count - 1));
        rows_read += rows.row_count;
        return row_error.ok();
      },
      info);
  if (s.ok()) s = row_error;
  if (!s.ok()) return s;
  c->written += rows_read;
  c->done = rows_read < want || c->written >= c->limit;
  if (c->done) return Status();
  // The next page starts after the last record: its order and key fields.
  c->after.clear();
  std::vector<Value> values(schema.fields.size());
  RowReader reader(schema, last);
  Value v;
  while (reader.Next(&v)) values[reader.index()] = v;
  JsonWriter cw(&c->after);
  cw.BeginObject();
  for (uint32_t f : info->cursor) {
    cw.Key(schema.fields[f].name);
    std::string one;
    AppendJsonValue(&one, values[f]);
    cw.Raw(one);
  }
  cw.EndObject();
  return Status();
}

ExportStream::ExportStream(ExportFormat format, ExportCursor c, std::string first)
    : format_(format), cursor_(std::move(c)) {
  Queue(first);
  ended_ = cursor_.done;
}

void ExportStream::Queue(std::string_view text) {
  if (text.empty()) return;
  std::string chunk;
  AppendChunk(text, &chunk);
  buffered_ += chunk.size();
  chunks_.push_back(std::move(chunk));
}

ExportStream::~ExportStream() {
  stop_.store(true);
  room_.notify_all();
  if (thread_.joinable()) thread_.join();
}

int32_t ExportStream::Cancelled(void* self) {
  return static_cast<ExportStream*>(self)->stop_.load(std::memory_order_relaxed) ? 1 : 0;
}

void ExportStream::Attach(ApiHost::Request request, ApiHost::View view) {
  request_ = std::move(request);
  view_ = std::move(view);
}

void ExportStream::Start(std::function<void()> wake) {
  wake_ = std::move(wake);
  if (!cursor_.done) thread_ = std::thread([this] { Produce(); });
}

void ExportStream::Produce() {
  while (!stop_.load()) {
    std::string page;
    QueryInfo info;
    Status s = ExportPage(request_.api(), view_, format_, &cursor_, &page, &info);
    std::unique_lock<std::mutex> lock(mu_);
    if (!s.ok()) {
      failed_ = ended_ = true;
    } else {
      Queue(page);
      ended_ = cursor_.done;
    }
    bool end = ended_;
    lock.unlock();
    wake_();
    if (end) return;
    lock.lock();
    room_.wait(lock, [&] { return stop_.load() || buffered_ < kExportBuffer; });
  }
}

bool ExportStream::Pull(size_t room, std::string* out) {
  std::lock_guard<std::mutex> lock(mu_);
  while (room > 0 && !chunks_.empty()) {
    std::string& front = chunks_.front();
    size_t n = std::min(room, front.size() - front_offset_);
    out->append(front, front_offset_, n);
    front_offset_ += n, buffered_ -= n, room -= n;
    if (front_offset_ == front.size()) chunks_.pop_front(), front_offset_ = 0;
  }
  if (buffered_ < kExportBuffer) room_.notify_all();
  if (!ended_ || !chunks_.empty()) return true;
  if (!failed_) out->append("0\r\n\r\n");  // the last chunk: the export is complete
  return false;
}

void ExportStream::Stop(std::string*) {
  stop_.store(true);
  std::lock_guard<std::mutex> lock(mu_);
  failed_ = ended_ = true;
  chunks_.clear();
  front_offset_ = buffered_ = 0;
  room_.notify_all();
}

}  // namespace sluice::rest
