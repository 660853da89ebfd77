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
// skipping one.
#ifndef SLUICE_SOURCE_H_
#define SLUICE_SOURCE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
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
};

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
};

}  // namespace sluice

#endif  // SLUICE_SOURCE_H_
