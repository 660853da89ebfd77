// Writing a source plugin: implement sluice::SourcePlugin (one configured
// connection) and sluice::SourceReader (one table being read), and export
// with SLUICE_PLUGIN().
//
//   class MySource : public sluice::SourcePlugin {
//    public:
//     static sluice::Status Create(const sluice::HostServices& host,
//                                  const sluice::Options& options,
//                                  std::unique_ptr<MySource>* out);
//     sluice::Status Describe(...) override;
//     sluice::Status OpenReader(...) override;
//   };
//   SLUICE_PLUGIN(MySource, "mysource", "1.0.0", "rows from somewhere")
//
// Offsets: every row carries an opaque offset from which the source can
// resume *after* that row. The host stores the offset of the last row of
// each committed batch and passes it back to OpenReader after a restart;
// the reader must then continue with the next row, never repeating or
// skipping one. An empty offset (ABI 1.2) says the row continues a
// transaction: the host commits only up to a row with a non-empty offset.
//
// ABI 1.2 also lets a source follow a live input closely (these all have
// defaults, so a plain file source overrides none of them):
// SourceReader::Wait (block until data may be there, instead of the host's
// poll sleep), SourceReader::Committed (the host's log made rows durable:
// acknowledge them upstream), and, on the connection, OpenScopedReader
// (know which endpoint version a reader fills, to name server-side state
// after it), Release (that version is deleted: drop the state) and Stats
// (report e.g. how much the server retains for it).
#ifndef SLUICE_SOURCE_H_
#define SLUICE_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sluice/host_services.h"
#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice {

// What a reader reports with each batch besides its rows.
struct BatchInfo {
  uint64_t rejected_rows = 0;  // skipped under a skip policy during this call
  bool at_end = false;         // reached the current end of the input
  uint64_t bytes_done = 0;     // progress so far
  uint64_t bytes_total = 0;    // known input size, 0 = unknown
  // With at_end: why the reader cannot go on besides "nothing new", naming
  // where ("t.csv:2: the last line is incomplete ..."); empty = nothing unusual.
  std::string note;
};

// Reads one table. Used from one thread at a time.
class SourceReader {
 public:
  virtual ~SourceReader() = default;
  // Appends up to max_rows rows to *out (encoded with RowWriter on
  // out->row_buffer(), then out->EndRow(op, offset)). An empty batch with
  // info->at_end means nothing new for now. A bad row under a fail policy:
  // deliver the good rows before it first, then return INVALID_ARGUMENT
  // naming file, line and column ("t.csv:12: column 3 ...") on the next
  // call. A schema change in the input (e.g. a new column): deliver the
  // rows before it, then return ABORTED saying what changed.
  virtual Status Next(uint32_t max_rows, RowBatchBuilder* out, BatchInfo* info) = 0;

  // ABI 1.2. Every row up to and including the one whose offset is `offset`
  // is durable in the host's log, which resumes after it. Called after log
  // commits with the newest committed offset (one call may cover several
  // commits), on the thread that calls Next (never during Next or Wait). Acknowledge upstream here
  // (e.g. a database's replication position); an error stops ingestion. Default: nothing to do.
  virtual Status Committed(std::string_view offset) {
    (void)offset;
    return Status();
  }
  // ABI 1.2. Called after a batch with at_end: block until new rows may be
  // available or `timeout_ms` passes, whichever is first, then return OK
  // (the host calls Next next). Never wait past the timeout: it bounds the
  // host's shutdown. Default: UNIMPLEMENTED, and the host sleeps
  // ingest.poll_interval_ms instead.
  virtual Status Wait(uint32_t timeout_ms) {
    (void)timeout_ms;
    return Unimplemented("this reader cannot wait for data");
  }
};

// ABI 1.2: the endpoint version a reader fills (see sluice_reader_scope).
// `endpoint` is empty when the host does not say (a host older than 1.2).
struct ReaderScope {
  std::string endpoint;
  uint32_t version = 0;
};

// ABI 1.2: statistics a source reports for one reader scope, by name
// ([a-z0-9_]+), e.g. {"lag_bytes", 1.5e6}.
using SourceStats = std::vector<std::pair<std::string, double>>;

// One connection (an entry of `connections:` in the config). Thread-safe.
class SourcePlugin {
 public:
  virtual ~SourcePlugin() = default;
  // The schema `table` has today. Leave primary_key empty unless the source
  // knows it; the host applies the configured key. UNAVAILABLE when the
  // table cannot be described yet (empty, no complete row): the host waits
  // and asks again later.
  virtual Status Describe(const std::string& table, const Options& table_options, Schema* out) = 0;
  // Describe, also appending to *notes one line per fact about how the
  // schema was found that a migration plan should show (e.g. how many rows
  // types were inferred from). Default: Describe with no notes.
  virtual Status DescribeWithNotes(const std::string& table, const Options& table_options,
                                   Schema* out, std::vector<std::string>* notes) {
    (void)notes;
    return Describe(table, table_options, out);
  }
  // Checks a table name and its options without reading data (a config
  // check made before anything is written); INVALID_ARGUMENT naming the
  // option or the name. Default: OK (anything else shows at Describe).
  virtual Status CheckTable(const std::string& table, const Options& table_options) {
    (void)table, (void)table_options;
    return Status();
  }
  // Where the row after `offset` (empty = the first row) starts, in words
  // ("t.csv:1234"), for messages about a row found wrong after ingest.
  // Default: UNIMPLEMENTED.
  virtual Status DescribeOffset(const std::string& table, const Options& table_options,
                                std::string_view offset, std::string* out) {
    (void)table, (void)table_options, (void)offset, (void)out;
    return Unimplemented("this source cannot say where an offset points");
  }
  // Opens a reader producing rows of exactly `schema`, resuming after
  // `offset` (empty = from the start).
  virtual Status OpenReader(const std::string& table, const Options& table_options,
                            const Schema& schema, std::string_view offset,
                            std::unique_ptr<SourceReader>* out) = 0;

  // ABI 1.2: OpenReader, told the endpoint version the reader fills. The
  // host calls this one; the default forwards to OpenReader.
  virtual Status OpenScopedReader(const ReaderScope& scope, const std::string& table,
                                  const Options& table_options, const Schema& schema,
                                  std::string_view offset, std::unique_ptr<SourceReader>* out) {
    (void)scope;
    return OpenReader(table, table_options, schema, offset, out);
  }
  // ABI 1.2: the version `scope` is deleted (prune) or its endpoint left the
  // config (then `table_options` is empty): free what the source keeps for
  // it. `offset` is its log's last committed offset (may be empty). No
  // reader of the scope is open. Idempotent; an error keeps the version for
  // a retry. Default: nothing kept, OK.
  virtual Status Release(const ReaderScope& scope, const std::string& table,
                         const Options& table_options, std::string_view offset) {
    (void)scope, (void)table, (void)table_options, (void)offset;
    return Status();
  }
  // ABI 1.2: statistics of what the source keeps for `scope` (e.g.
  // "lag_bytes"). The host exports each as sluice_source_<name> and shows
  // them in `sluice migrations`; it asks at every metrics scrape, so answer
  // quickly. Default: UNIMPLEMENTED (nothing to report).
  virtual Status Stats(const ReaderScope& scope, const std::string& table,
                       const Options& table_options, SourceStats* out) {
    (void)scope, (void)table, (void)table_options, (void)out;
    return Unimplemented("this source reports no statistics");
  }
};

}  // namespace sluice

#endif  // SLUICE_SOURCE_H_
