// Export: every record a list or query matches, as CSV (RFC 4180) or
// NDJSON, streamed with bounded memory (docs/rest.md, "Export").
//
// The records are read in pages of kExportPage through the host's query
// service, each page continuing after the last record of the one before
// ($after), exactly as a client paging by hand. A page is read whole into
// memory (so a slow client never holds a query open against its timeout),
// then handed to the connection; the next page is read once less than
// kExportBuffer bytes wait to be sent. The body is sent chunked: an export
// cut short (error, server stop) ends without the last chunk, which HTTP
// clients report as an incomplete transfer.
#ifndef SLUICE_PLUGINS_API_REST_EXPORT_STREAM_H_
#define SLUICE_PLUGINS_API_REST_EXPORT_STREAM_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "event_stream.h"
#include "sluice/api_host.h"
#include "sluice/json.h"
#include "sluice/schema.h"

namespace sluice::rest {

enum class ExportFormat { kNone, kCsv, kNdjson };

// The export format an Accept header asks for: the first media type it
// lists that is text/csv, application/x-ndjson (or application/ndjson),
// application/json or */* (the last two: kNone, the JSON array). kNone
// without the header.
ExportFormat AcceptedExport(std::string_view accept);

constexpr uint32_t kExportPage = 1000;             // records per page query
constexpr size_t kExportBuffer = size_t{1} << 20;  // bytes waiting before the next page

// Writes records of one schema as CSV lines or NDJSON lines.
class RecordText {
 public:
  RecordText(const Schema& schema, ExportFormat format);
  // Writes only `fields` (field numbers, in this order); empty = every field.
  void Select(const std::vector<uint32_t>& fields);
  // The CSV header line (names of the written fields); "" for NDJSON.
  void AppendHeader(std::string* out) const;
  // Appends one record and its line end (CRLF for CSV, LF for NDJSON).
  Status Append(std::string_view row, std::string* out);
  // `text` as one CSV field: quoted when empty or holding , " CR LF or
  // surrounding spaces; quotes doubled.
  static void AppendCsvField(std::string_view text, std::string* out);

 private:
  const Schema& schema_;
  ExportFormat format_;
  std::vector<uint32_t> fields_;  // empty: every field
  RecordJson json_;
  std::vector<Value> values_;
  std::string scratch_;
};

// The state a page query needs: the query (the client's, as JSON text),
// what was written so far and where to continue.
struct ExportCursor {
  std::string query;     // the client's query object
  uint64_t limit = 0;    // the client's $limit (total), UINT64_MAX without
  uint64_t skip = 0;     // the client's $skip (first page only)
  uint64_t written = 0;  // records written so far
  std::string after;     // $after of the next page (JSON object); "" = none
  bool done = false;     // the last page was read
};

// Splits the client's query text into what every page repeats and its
// $limit, $skip (kept in `c`). INVALID_ARGUMENT as the host would.
Status PrepareExport(std::string_view query_json, ExportCursor* c);

// Reads the next page into *out (the CSV header first, on the first page)
// and advances `c`. `info` receives how the page ran.
Status ExportPage(const ApiHost& api, const ApiHost::View& view, ExportFormat format,
                  ExportCursor* c, std::string* out, QueryInfo* info);

// The stream of an export after its first page: a thread reads the further
// pages while the connection sends.
class ExportStream : public ResponseStream {
 public:
  // `first` is the first page's text (sent first). When c.done, no thread
  // starts.
  ExportStream(ExportFormat format, ExportCursor c, std::string first);
  ~ExportStream() override;
  // Nonzero once the stream stopped (client gone, server stopping): the
  // cancel_fn of the request its pages are read through (ctx = the stream).
  static int32_t Cancelled(void* self);
  // Gives the stream the request and view its further pages are read
  // through (before Start; not needed when done()).
  void Attach(ApiHost::Request request, ApiHost::View view);
  // True when the first page was the last.
  bool done() const { return cursor_.done; }

  void Start(std::function<void()> wake) override;
  bool Pull(size_t room, std::string* out) override;
  void Heartbeat(std::string*) override {}
  void Stop(std::string* out) override;
  uint32_t heartbeat_ms() const override { return 3600000; }

 private:
  void Produce();
  // Appends `text` as one chunk to send (mu_ held, or before Start).
  void Queue(std::string_view text);

  const ExportFormat format_;
  ExportCursor cursor_;
  ApiHost::Request request_;
  ApiHost::View view_;
  std::atomic<bool> stop_{false};
  std::mutex mu_;
  std::condition_variable room_;    // the buffer drained below kExportBuffer, or stop
  std::deque<std::string> chunks_;  // chunk-framed text to send
  size_t front_offset_ = 0;         // of chunks_.front() already sent
  size_t buffered_ = 0;             // bytes in chunks_ not yet sent
  bool ended_ = false;              // no more text will come
  bool failed_ = false;             // ended early: no last chunk
  std::function<void()> wake_;
  std::thread thread_;
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_EXPORT_STREAM_H_
