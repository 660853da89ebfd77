#include "csv_reader.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <thread>

#include "csv_offset.h"

namespace sluice::csv {

namespace {
const char kMigrateHint[] =
    "; a table's files must not be removed, renamed or rewritten while sluice reads them "
    "(to start over, create a new version with `sluice migrate --new <endpoint>`)";
}  // namespace

CsvReader::CsvReader(const HostServices& host, const ConnectionConfig& conn,
                     const TableConfig& table_config, const Schema& schema, TableFiles files)
    : host_(host),
      conn_(conn),
      table_config_(table_config),
      encoder_(schema, table_config),
      files_(std::move(files)),
      scanner_(conn.buffer_size, conn.delimiter) {
  for (const FileEntry& f : files_.files()) seen_.insert(f.name);
}

Status CsvReader::Open(const HostServices& host, const ConnectionConfig& conn,
                       const std::string& table, const TableConfig& table_config,
                       const Schema& schema, std::string_view offset,
                       std::unique_ptr<CsvReader>* out) {
  if (schema.fields.empty()) return InvalidArgument("csv reader: the schema has no fields");
  TableFiles files;
  SLUICE_RETURN_IF_ERROR(TableFiles::Resolve(conn.path, table, TableExtension(conn), &files));
  std::unique_ptr<CsvReader> r(new CsvReader(host, conn, table_config, schema, std::move(files)));
  if (!offset.empty()) {
    SLUICE_RETURN_IF_ERROR(r->Resume(offset));
  } else {
    bool opened = false;
    SLUICE_RETURN_IF_ERROR(r->OpenNextFile(&opened));
  }
  if (r->have_file_) {
    bool ready = false;
    SLUICE_RETURN_IF_ERROR(r->EnsureHeader(&ready));
  }
  *out = std::move(r);
  return Status();
}

Status CsvReader::Locate(const ConnectionConfig& conn, const std::string& table,
                         std::string_view offset, std::string* out) {
  TableFiles files;
  SLUICE_RETURN_IF_ERROR(TableFiles::Resolve(conn.path, table, TableExtension(conn), &files));
  CsvScanner scanner(conn.buffer_size, conn.delimiter);
  UniqueFd fd;
  CsvRecord rec;
  ScanResult r;
  if (offset.empty()) {  // the first data row of the first file with a header
    for (const FileEntry& f : files.files()) {
      SLUICE_RETURN_IF_ERROR(fd.Open(files.Path(f.name)));
      scanner.Reset(fd.get(), 0, 1);
      std::vector<std::string> names;
      bool ready = false;
      SLUICE_RETURN_IF_ERROR(ReadHeader(&scanner, files.Display(f.name), true, 0, &names, &ready));
      if (!ready) continue;
      SLUICE_RETURN_IF_ERROR(scanner.Next(names.size(), true, &rec, &r));
      *out = files.Display(f.name) + ":" +
             std::to_string(r == ScanResult::kRecord ? rec.line : scanner.line());
      return Status();
    }
    return NotFound("the table has no data row");
  }
  CsvOffset o;
  SLUICE_RETURN_IF_ERROR(DecodeOffset(offset, &o));
  SLUICE_RETURN_IF_ERROR(fd.Open(files.Path(o.file)));
  scanner.Reset(fd.get(), o.position, o.line);
  SLUICE_RETURN_IF_ERROR(scanner.Next(0, true, &rec, &r));
  // At the end of its file, the next row is the first of the next file.
  *out = files.Display(o.file) + ":" +
         std::to_string(r == ScanResult::kRecord ? rec.line : scanner.line());
  return Status();
}

Status CsvReader::Resume(std::string_view offset) {
  CsvOffset o;
  SLUICE_RETURN_IF_ERROR(DecodeOffset(offset, &o));
  const FileEntry* entry = nullptr;
  for (const FileEntry& f : files_.files())
    if (f.name == o.file) entry = &f;
  if (entry == nullptr)
    return FailedPrecondition("cannot resume: " + files_.Display(o.file) +
                              ", named by the saved offset, no longer exists" + kMigrateHint);
  SLUICE_RETURN_IF_ERROR(OpenFile(o.file));
  uint64_t size = 0;
  SLUICE_RETURN_IF_ERROR(fd_.Size(&size));
  if (size < o.position)
    return FailedPrecondition("cannot resume: " + Display() + " is " + std::to_string(size) +
                              " bytes, shorter than the saved offset (byte " +
                              std::to_string(o.position) + ", line " + std::to_string(o.line) +
                              "): was it truncated or replaced?" + kMigrateHint);
  resume_pos_ = o.position;
  resume_line_ = o.line;
  return Status();
}

Status CsvReader::OpenFile(const std::string& name) {
  SLUICE_RETURN_IF_ERROR(fd_.Open(files_.Path(name)));
  current_ = name;
  have_file_ = true;
  header_ready_ = false;
  final_ = false;
  resume_pos_ = resume_line_ = 0;
  scanner_.Reset(fd_.get(), 0, 1);
  offset_.clear();
  PutOffsetPrefix(&offset_, name);
  offset_prefix_len_ = offset_.size();
  return Status();
}

Status CsvReader::OpenNextFile(bool* opened) {
  *opened = false;
  if (files_.is_directory()) SLUICE_RETURN_IF_ERROR(files_.Refresh());
  for (const FileEntry& f : files_.files()) {
    bool is_new = seen_.insert(f.name).second;
    if (!current_.empty() && f.name <= current_) {
      if (is_new)
        host_.Warn("ignoring " + files_.Display(f.name) + ": it appeared after " + Display() +
                   " was read and sorts before it; new files must sort after the ones read");
      continue;
    }
    SLUICE_RETURN_IF_ERROR(OpenFile(f.name));
    *opened = true;
    return Status();
  }
  return Status();
}

Status CsvReader::EnsureHeader(bool* ready) {
  if (header_ready_) {
    *ready = true;
    return Status();
  }
  bool resuming = resume_line_ != 0;
  std::vector<std::string> names;
  SLUICE_RETURN_IF_ERROR(
      ReadHeader(&scanner_, Display(), final_ || resuming, encoder_.names().size(), &names, ready));
  if (!*ready) {
    if (resuming)
      return FailedPrecondition("cannot resume: " + Display() + " has no header row" +
                                kMigrateHint);
    return Status();
  }
  std::string problem = encoder_.SetFileColumns(names);
  if (!problem.empty())
    return failed_ = Status(Code::kAborted,
                            Display() +
                                ":1: the header does not match the endpoint's schema: " + problem +
                                "; the table's columns changed: run `sluice migrate` to create a "
                                "version with them");
  if (resuming) {
    if (resume_pos_ < scanner_.position())
      return FailedPrecondition("cannot resume: the saved offset (byte " +
                                std::to_string(resume_pos_) + ") points into the header of " +
                                Display() + kMigrateHint);
    scanner_.Reset(fd_.get(), resume_pos_, resume_line_);
    resume_pos_ = resume_line_ = 0;
  }
  header_ready_ = true;
  return Status();
}

Status CsvReader::HasLaterFile(bool* later) {
  *later = false;
  if (!files_.is_directory()) return Status();
  SLUICE_RETURN_IF_ERROR(files_.Refresh());
  *later = !files_.files().empty() && files_.files().back().name > current_;
  return Status();
}

void CsvReader::AddRow(RowBatchBuilder* out) {
  offset_.resize(offset_prefix_len_);
  PutOffsetPosition(&offset_, rec_.end_pos, rec_.next_line);
  out->EndRow(SLUICE_OP_INSERT, offset_);
}

Status CsvReader::BadRow(const std::string& why, BatchInfo* info) {
  std::string where = Display() + ":" + std::to_string(rec_.line) + ": " + why;
  if (table_config_.on_error == OnError::kFail)
    return failed_ =
               InvalidArgument(where + " (fix the row, or set on_error: skip to skip bad rows)");
  ++info->rejected_rows;
  ++bad_rows_;
  if (bad_rows_ <= 10 || bad_rows_ % 1000 == 0)
    host_.Warn("skipped bad row " + where + " (" + std::to_string(bad_rows_) +
               " skipped so far; logging the first 10, then every 1000th)");
  return Status();
}

void CsvReader::WarnIncompleteTail() {
  std::string key = current_ + ":" + std::to_string(scanner_.position());
  if (key == warned_tail_) return;
  warned_tail_ = key;
  host_.Warn(Display() + ":" + std::to_string(scanner_.line()) +
             ": the last line is incomplete (no line break, a missing closing quote or too few "
             "fields); waiting for the rest of it (writers must append whole lines)");
}

Status CsvReader::IncompleteTail(BatchInfo* info) {
  WarnIncompleteTail();
  const std::string what =
      TailWhere() +
      ": the last line is incomplete (no line break, an open quote or too few fields)";
  info->note = what + "; waiting for the rest of it";
  uint64_t limit_ms = table_config_.incomplete_line_timeout_ms;
  struct stat st;
  if (limit_ms == 0 || ::fstat(fd_.get(), &st) != 0) return Status();
  auto changed = std::chrono::system_clock::time_point(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec));
  auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(
                  std::chrono::system_clock::now() - changed)
                  .count();
  if (idle < 0 || static_cast<uint64_t>(idle) < limit_ms) return Status();
  info->note.clear();
  return InvalidArgument(what + " and the file has not changed for " + std::to_string(idle / 1000) +
                         " s (incomplete_line_timeout: " + std::to_string(limit_ms / 1000) +
                         " s): a writer died mid-line or a quote is never closed; complete or "
                         "remove the line");
}

Status CsvReader::TailSettled(std::chrono::milliseconds* wait) {
  struct stat st;
  if (::fstat(fd_.get(), &st) != 0) return IoError("stat " + Display(), errno);
  auto changed = std::chrono::system_clock::time_point(
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec));
  auto idle = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now() - changed);
  *wait = idle >= kTailSettle ? std::chrono::milliseconds(0) : kTailSettle - idle;
  if (*wait > kTailSettle) *wait = kTailSettle;  // the clock went back
  return Status();
}

Status CsvReader::CheckReplaced(bool* replaced) {
  *replaced = false;
  if (!have_file_) return Status();
  const std::string path = files_.Path(current_);
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return Status();  // gone: nothing more can arrive
  uint64_t open_inode = 0, read = scanner_.position();
  SLUICE_RETURN_IF_ERROR(fd_.Inode(&open_inode));
  const std::string restart =
      "; sluice cannot tell which rows changed: restore the file, or start over with `sluice "
      "migrate --new ENDPOINT`";
  if (static_cast<uint64_t>(st.st_ino) == open_inode) {
    if (static_cast<uint64_t>(st.st_size) < read)
      return failed_ = FailedPrecondition(
                 Display() + " was truncated to " + std::to_string(st.st_size) + " bytes after " +
                 std::to_string(read) + " bytes of it were read" + restart);
    return Status();
  }
  UniqueFd fresh;
  SLUICE_RETURN_IF_ERROR(fresh.Open(path));
  bool same = static_cast<uint64_t>(st.st_size) >= read;
  if (same) SLUICE_RETURN_IF_ERROR(SamePrefix(fresh.get(), read, &same));
  if (!same)
    return failed_ = FailedPrecondition(
               Display() +
               " was replaced (renamed over or rewritten) by a file that does not "
               "continue the " +
               std::to_string(read) + " bytes already read" + restart);
  host_.Info(Display() + " was replaced by a file that extends it; following the new file");
  uint64_t line = scanner_.line();
  fd_.Swap(fresh);
  scanner_.Reset(fd_.get(), read, line);
  *replaced = true;
  return Status();
}

Status CsvReader::SamePrefix(int other, uint64_t n, bool* same) {
  constexpr size_t kChunk = 1 << 20;
  std::unique_ptr<char[]> a(new char[kChunk]), b(new char[kChunk]);
  *same = true;
  for (uint64_t at = 0; at < n && *same;) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(kChunk, n - at));
    ssize_t ra = ::pread(fd_.get(), a.get(), want, static_cast<off_t>(at));
    ssize_t rb = ::pread(other, b.get(), want, static_cast<off_t>(at));
    if (ra < 0 || rb < 0) return IoError("read " + Display(), errno);
    if (ra != static_cast<ssize_t>(want) || rb != ra) {
      *same = false;
      return Status();
    }
    *same = std::memcmp(a.get(), b.get(), want) == 0;
    at += want;
  }
  return Status();
}

void CsvReader::FillProgress(BatchInfo* info) const {
  uint64_t done = 0, total = 0;
  for (const FileEntry& f : files_.files()) {
    uint64_t size = f.size;
    if (have_file_ && f.name == current_) {
      size = std::max(size, scanner_.position());
      done += scanner_.position();
    } else if (!current_.empty() && f.name < current_) {
      done += size;
    } else if (!have_file_ && f.name == current_) {
      done += size;
    }
    total += size;
  }
  info->bytes_done = done;
  info->bytes_total = std::max(total, done);
}

Status CsvReader::Next(uint32_t max_rows, RowBatchBuilder* out, BatchInfo* info) {
  if (!failed_.ok()) return failed_;
  if (!deferred_.ok()) {
    Status s = deferred_;
    deferred_ = Status();
    return s;
  }
  uint32_t rows = 0;
  Status s = ReadRows(max_rows, out, info, &rows);
  if (!s.ok()) {
    if (rows == 0) return s;
    deferred_ = s;  // deliver the good rows first
    info->at_end = false;
  }
  FillProgress(info);
  return Status();
}

Status CsvReader::ReadRows(uint32_t max_rows, RowBatchBuilder* out, BatchInfo* info,
                           uint32_t* rows) {
  const size_t n_fields = encoder_.names().size();
  std::string why;
  while (*rows < max_rows) {
    if (!have_file_) {
      bool opened = false;
      SLUICE_RETURN_IF_ERROR(OpenNextFile(&opened));
      if (!opened) {
        info->at_end = true;
        return Status();
      }
    }
    if (!header_ready_) {
      bool ready = false;
      SLUICE_RETURN_IF_ERROR(EnsureHeader(&ready));
      if (!ready && final_) {  // an empty file followed by others: nothing to read
        have_file_ = false;
        continue;
      }
    }
    ScanResult r = ScanResult::kEnd;
    if (header_ready_)
      SLUICE_RETURN_IF_ERROR(scanner_.Next(n_fields, final_, &rec_, &r, !take_tail_));
    take_tail_ = false;
    if (r == ScanResult::kRecord) {
      if (encoder_.Encode(rec_, out->row_buffer(), &why)) {
        AddRow(out);
        ++*rows;
      } else {
        SLUICE_RETURN_IF_ERROR(BadRow(why, info));
      }
      continue;
    }
    if (final_) {  // the current file is complete and fully read
      fd_.Reset();
      have_file_ = false;
      continue;
    }
    bool later = false;
    SLUICE_RETURN_IF_ERROR(HasLaterFile(&later));
    if (!later) {
      bool replaced = false;
      SLUICE_RETURN_IF_ERROR(CheckReplaced(&replaced));
      if (replaced) continue;  // read what the new file has beyond the old one
      if (r == ScanResult::kWholeTail) {
        std::chrono::milliseconds wait{0};
        SLUICE_RETURN_IF_ERROR(TailSettled(&wait));
        if (wait.count() == 0) {
          take_tail_ = true;  // the file has been idle: the line is whole
          continue;
        }
        // Rows so far go out now; then wait a little for the rest of the
        // line. Not at the end: the input may be final (app run --once).
        if (*rows == 0) std::this_thread::sleep_for(std::min(wait, kTailPoll));
        info->at_end = false;
        return Status();
      }
      if (r == ScanResult::kTail) SLUICE_RETURN_IF_ERROR(IncompleteTail(info));
      if (!header_ready_) info->note = Display() + " is empty: waiting for its header row";
      info->at_end = true;
      return Status();
    }
    final_ = true;  // read what was appended meanwhile, then move on
  }
  return Status();
}

}  // namespace sluice::csv
