// CsvScanner: a streaming RFC 4180 record scanner over one file.
//
// It reads the file through a fixed-size buffer with pread(), so memory stays
// flat however large the file; a single record larger than the buffer grows
// the buffer for that record only. Records are returned as views into the
// scanner's buffers, valid until the next call on the scanner.
//
//   CsvScanner scanner(1 << 20, ',');
//   scanner.Reset(fd, /*pos=*/0, /*line=*/1);
//   CsvRecord rec;
//   ScanResult r;
//   while (scanner.Next(n_fields, /*final_file=*/true, &rec, &r).ok() &&
//          r == ScanResult::kRecord) { ... rec.fields[i].value ... }
//
// Rules (docs/source-csv.md, "Parsing"): fields separated by the delimiter,
// records by LF or CRLF; a field starting with '"' is quoted and may hold
// delimiters, doubled quotes and line breaks; a quote inside an unquoted
// field is literal; a UTF-8 BOM at file position 0 is skipped; blank lines
// are skipped. UTF-8 validity is not checked here (see CsvRecord::ascii).
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_SCANNER_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_SCANNER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/status.h"

namespace sluice::csv {

struct CsvField {
  std::string_view value;  // unescaped content, without the enclosing quotes
  bool quoted = false;     // the field was written in quotes
};

struct CsvRecord {
  std::vector<CsvField> fields;
  uint64_t line = 0;          // 1-based physical line the record starts on
  uint64_t end_pos = 0;       // file position after the record and its line break
  uint64_t next_line = 0;     // physical line the next record starts on
  bool terminated = true;     // false: ended by end of file without a line break
  bool ascii = true;          // every byte is ASCII (no UTF-8 check needed)
  std::string error;          // non-empty: malformed, this says why
  uint32_t error_column = 0;  // 1-based column `error` is about, 0 = whole record
};

enum class ScanResult {
  kRecord,     // *rec holds the next record; it is consumed
  kEnd,        // no more bytes in the file for now
  kTail,       // the file ends in an incomplete record (not consumed; see Next)
  kWholeTail,  // the file ends in a record with every field but no line break,
               // and the caller asked to hold such a tail (not consumed; see Next)
};

class CsvScanner {
 public:
  // `buffer_size` is the read size (at least 4 bytes); `delimiter` separates
  // fields and must not be '"', '\r' or '\n'.
  CsvScanner(size_t buffer_size, char delimiter);
  CsvScanner(const CsvScanner&) = delete;
  CsvScanner& operator=(const CsvScanner&) = delete;

  // Starts scanning `fd` (not owned; must outlive the scanning) at byte
  // `pos`, whose line number is `line`. At pos 0 a UTF-8 BOM is skipped.
  void Reset(int fd, uint64_t pos, uint64_t line);

  // Scans the next record. Reading past the current end of file is retried
  // on every call, so data appended to the file is picked up.
  //
  // At end of file, bytes after the last line break form a "tail". With
  // final_file, the tail is returned as a record (terminated = false; an
  // unterminated quote sets rec->error). Otherwise the tail is returned only
  // when its quotes are closed and it has exactly `expected_fields` fields;
  // else *result = kTail and nothing is consumed (a writer may be midway
  // through the line). A tail of just "\r" counts as no tail. With
  // hold_whole_tail (and without final_file), a tail that would be
  // returned is not: *result = kWholeTail and nothing is consumed, since
  // a reader may see part of one write (the rest of the line may follow).
  //
  // Returns an error status only for I/O errors.
  Status Next(size_t expected_fields, bool final_file, CsvRecord* rec, ScanResult* result,
              bool hold_whole_tail = false);

  // File position of the next unconsumed byte and the line it is on.
  uint64_t position() const { return buf_pos_ + begin_; }
  uint64_t line() const { return line_; }

 private:
  enum class Scan { kDone, kNeedMore, kOpenQuote };

  bool FastLine(CsvRecord* rec, bool* blank);
  Scan ScanGeneral(bool at_eof, CsvRecord* rec, size_t* used, uint64_t* lines);
  const char* ScanQuoted(const char* p, const char* end, bool at_eof, CsvField* field,
                         Scan* status);
  void Consume(size_t bytes, uint64_t lines, CsvRecord* rec);
  Status Fill(bool* got_more);
  Status SkipBom(bool* wait);

  const size_t base_size_;
  const char delim_;
  int fd_ = -1;
  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t begin_ = 0;      // next unconsumed byte in buf_
  size_t end_ = 0;        // end of valid bytes in buf_
  uint64_t buf_pos_ = 0;  // file position of buf_[0]
  uint64_t line_ = 1;
  bool check_bom_ = false;
  std::unique_ptr<char[]> scratch_;  // unescaped quoted fields
  size_t scratch_cap_ = 0;
  size_t scratch_used_ = 0;
};

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_SCANNER_H_
