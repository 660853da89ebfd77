// CsvReader: reads one table's files in name order as rows of a schema,
// following appends and new files (docs/source-csv.md, "Following").
// Used from one thread at a time.
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_READER_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_READER_H_

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "csv_config.h"
#include "csv_rows.h"
#include "csv_scanner.h"
#include "csv_table.h"
#include "sluice/source.h"

namespace sluice::csv {

class CsvReader : public SourceReader {
 public:
  // Opens `table` for rows of `schema`, resuming after `offset` (empty = from
  // the first row of the first file). Checks the header of the first file
  // (or the offset's file) right away: FailedPrecondition naming the file
  // and the differences when it no longer matches the schema, or when the
  // offset's file is gone or shorter than the offset. NotFound when the
  // table does not exist.
  static Status Open(const HostServices& host, const ConnectionConfig& conn,
                     const std::string& table, const TableConfig& table_config,
                     const Schema& schema, std::string_view offset,
                     std::unique_ptr<CsvReader>* out);

  // Where the row after `offset` (empty = the first row) starts:
  // "FILE:LINE" with FILE relative to the connection path.
  static Status Locate(const ConnectionConfig& conn, const std::string& table,
                       std::string_view offset, std::string* out);

  // See SourceReader::Next. An error met after some rows of a batch is
  // returned by the next call, after those rows. Bad rows and header
  // mismatches are sticky: every later call returns the same error. I/O
  // errors are not (a retry may work).
  Status Next(uint32_t max_rows, RowBatchBuilder* out, BatchInfo* info) override;

 private:
  CsvReader(const HostServices& host, const ConnectionConfig& conn, const TableConfig& table_config,
            const Schema& schema, TableFiles files);

  Status Resume(std::string_view offset);
  Status OpenFile(const std::string& name);
  Status OpenNextFile(bool* opened);
  Status EnsureHeader(bool* ready);
  Status HasLaterFile(bool* later);
  // At the end of the table's last file: a file replaced under the same
  // name (mv, a rewrite) is followed when it extends what was read, else
  // the reader fails; a truncated file fails. *replaced when it switched.
  Status CheckReplaced(bool* replaced);
  // True when the open file's first `n` bytes equal those of `other`.
  Status SamePrefix(int other, uint64_t n, bool* same);
  // The incomplete last line of the last file: a note while it may still
  // be completed, an error once the file has not changed for
  // incomplete_line_timeout.
  Status IncompleteTail(BatchInfo* info);
  // A last line with every field but no line break may be part of one
  // write that a concurrent read saw half done (the kernel does not make a
  // write atomic for readers): it is taken as a row once the file has not
  // changed for kTailSettle. *wait is how much longer that is (0: now).
  Status TailSettled(std::chrono::milliseconds* wait);
  static constexpr std::chrono::milliseconds kTailSettle{1000};
  static constexpr std::chrono::milliseconds kTailPoll{20};  // a held tail's wait per call
  void AddRow(RowBatchBuilder* out);
  Status ReadRows(uint32_t max_rows, RowBatchBuilder* out, BatchInfo* info, uint32_t* rows);
  // A bad row: the sticky error under a fail policy, else counts and logs it.
  Status BadRow(const std::string& why, BatchInfo* info);
  void FillProgress(BatchInfo* info) const;
  void WarnIncompleteTail();
  std::string TailWhere() const { return Display() + ":" + std::to_string(scanner_.line()); }
  std::string Display() const { return files_.Display(current_); }

  HostServices host_;
  ConnectionConfig conn_;
  TableConfig table_config_;
  RowEncoder encoder_;
  TableFiles files_;
  std::set<std::string> seen_;  // names listed so far (to warn about late ones)

  std::string current_;  // base name of the open file, "" before the first
  bool have_file_ = false;
  UniqueFd fd_;
  CsvScanner scanner_;
  bool header_ready_ = false;
  bool final_ = false;                         // a later file exists: the current file is complete
  uint64_t resume_pos_ = 0, resume_line_ = 0;  // where to go after the header

  CsvRecord rec_;
  std::string offset_;  // offset being built; offset_prefix_len_ bytes are the file's
  size_t offset_prefix_len_ = 0;
  Status failed_;    // sticky: a bad row (fail policy) or a header mismatch
  Status deferred_;  // an error met after rows of a batch; returned by the next call
  uint64_t bad_rows_ = 0;
  std::string warned_tail_;  // file and position of the last incomplete line warned about
  bool take_tail_ = false;   // the next scan takes a whole last line without a line break
};

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_READER_H_
