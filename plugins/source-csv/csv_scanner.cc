#include "csv_scanner.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "utf8.h"

namespace sluice::csv {

namespace {

// Why a field ended.
enum class Stop { kDelim, kLineEnd, kEof, kNeedMore };

std::string_view StripCr(const char* b, const char* e) {
  if (e > b && e[-1] == '\r') --e;
  return std::string_view(b, static_cast<size_t>(e - b));
}

// Scans an unquoted field starting at p. Returns the byte after its stop.
const char* ScanPlain(const char* p, const char* end, char delim, bool at_eof,
                      std::string_view* value, Stop* stop) {
  const char* q = p;
  while (q < end && *q != delim && *q != '\n') ++q;
  if (q == end) {
    *stop = at_eof ? Stop::kEof : Stop::kNeedMore;
    *value = StripCr(p, end);
    return end;
  }
  if (*q == delim) {
    *stop = Stop::kDelim;
    *value = std::string_view(p, static_cast<size_t>(q - p));
  } else {
    *stop = Stop::kLineEnd;
    *value = StripCr(p, q);
  }
  return q + 1;
}

// What follows a closing quote at p: a delimiter, a line break or the end.
// Returns nullptr (and leaves *stop alone) when something else follows.
const char* AfterQuote(const char* p, const char* end, char delim, bool at_eof, Stop* stop) {
  if (p == end) {
    *stop = at_eof ? Stop::kEof : Stop::kNeedMore;
    return p;
  }
  if (*p == delim) {
    *stop = Stop::kDelim;
    return p + 1;
  }
  if (*p == '\n') {
    *stop = Stop::kLineEnd;
    return p + 1;
  }
  if (*p == '\r') {
    if (p + 1 == end) {
      *stop = at_eof ? Stop::kEof : Stop::kNeedMore;
      return p + 1;
    }
    if (p[1] == '\n') {
      *stop = Stop::kLineEnd;
      return p + 2;
    }
  }
  return nullptr;
}

// Splits [p, le), which holds no quote, at every delimiter into *fields.
// Returns whether the line is pure ASCII. Looks at 8 bytes at a time: a
// byte equal to the delimiter becomes a zero byte of w ^ pattern, and the
// zero-byte test below is exact (no false positives), so each set bit is a
// delimiter.
// Appends an unquoted field in place (no temporary: copying one through the
// stack stalls store forwarding in this hot loop).
inline void AddPlain(std::vector<CsvField>* fields, const char* b, const char* e) {
  CsvField& f = fields->emplace_back();
  f.value = std::string_view(b, static_cast<size_t>(e - b));
}

bool SplitLine(const char* p, const char* le, char delim, std::vector<CsvField>* fields) {
  constexpr uint64_t k7f = 0x7F7F7F7F7F7F7F7FULL;
  const uint64_t pattern = 0x0101010101010101ULL * static_cast<uint8_t>(delim);
  fields->clear();
  const char* f = p;  // start of the current field
  const char* q = p;
  uint64_t acc = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  for (; q + 8 <= le; q += 8) {
    uint64_t w;
    std::memcpy(&w, q, 8);
    acc |= w;
    uint64_t x = w ^ pattern;
    uint64_t zero = ~(((x & k7f) + k7f) | x | k7f);
    while (zero != 0) {
      const char* d = q + (__builtin_ctzll(zero) >> 3);
      AddPlain(fields, f, d);
      f = d + 1;
      zero &= zero - 1;
    }
  }
#endif
  for (; q < le; ++q) {
    acc |= static_cast<uint8_t>(*q);
    if (*q == delim) {
      AddPlain(fields, f, q);
      f = q + 1;
    }
  }
  AddPlain(fields, f, le);
  return (acc & 0x8080808080808080ULL) == 0;
}

std::string DescribeByte(char c) {
  auto u = static_cast<unsigned char>(c);
  char buf[16];
  if (u >= 0x20 && u < 0x7f) std::snprintf(buf, sizeof buf, "'%c'", c);
  else std::snprintf(buf, sizeof buf, "byte 0x%02x", u);
  return buf;
}

}  // namespace

CsvScanner::CsvScanner(size_t buffer_size, char delimiter)
    : base_size_(std::max<size_t>(buffer_size, 4)), delim_(delimiter) {
  buf_.reset(new char[base_size_]);
  cap_ = base_size_;
}

void CsvScanner::Reset(int fd, uint64_t pos, uint64_t line) {
  fd_ = fd;
  begin_ = end_ = 0;
  buf_pos_ = pos;
  line_ = line;
  check_bom_ = pos == 0;
}

Status CsvScanner::Fill(bool* got_more) {
  if (begin_ > 0) {
    size_t keep = end_ - begin_;
    if (cap_ > base_size_ && keep < base_size_) {  // the oversized record is gone
      std::unique_ptr<char[]> small(new char[base_size_]);
      std::memcpy(small.get(), buf_.get() + begin_, keep);
      buf_ = std::move(small);
      cap_ = base_size_;
      scratch_.reset();
      scratch_cap_ = 0;
    } else {
      std::memmove(buf_.get(), buf_.get() + begin_, keep);
    }
    buf_pos_ += begin_;
    end_ = keep;
    begin_ = 0;
  }
  if (end_ == cap_) {  // one record fills the buffer: grow for it
    std::unique_ptr<char[]> big(new char[cap_ * 2]);
    std::memcpy(big.get(), buf_.get(), end_);
    buf_ = std::move(big);
    cap_ *= 2;
  }
  ssize_t n;
  do {
    n = ::pread(fd_, buf_.get() + end_, cap_ - end_, static_cast<off_t>(buf_pos_ + end_));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return IoError("read", errno);
  end_ += static_cast<size_t>(n);
  *got_more = n > 0;
  return Status();
}

Status CsvScanner::SkipBom(bool* wait) {
  static const char kBom[3] = {'\xEF', '\xBB', '\xBF'};
  while (end_ - begin_ < 3) {
    bool more = false;
    SLUICE_RETURN_IF_ERROR(Fill(&more));
    if (!more) break;
  }
  size_t have = std::min<size_t>(end_ - begin_, 3);
  if (std::memcmp(buf_.get() + begin_, kBom, have) == 0 && have < 3) {
    *wait = true;  // empty so far, or a BOM being written
    return Status();
  }
  if (have == 3 && std::memcmp(buf_.get() + begin_, kBom, 3) == 0) begin_ += 3;
  check_bom_ = false;
  return Status();
}

void CsvScanner::Consume(size_t bytes, uint64_t lines, CsvRecord* rec) {
  rec->line = line_;
  begin_ += bytes;
  line_ += lines;
  rec->end_pos = position();
  rec->next_line = line_;
}

bool CsvScanner::FastLine(CsvRecord* rec, bool* blank) {
  const char* p = buf_.get() + begin_;
  const char* end = buf_.get() + end_;
  const char* nl = static_cast<const char*>(std::memchr(p, '\n', static_cast<size_t>(end - p)));
  if (nl == nullptr || std::memchr(p, '"', static_cast<size_t>(nl - p)) != nullptr) return false;
  const char* le = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
  *blank = le == p;
  if (*blank) {
    begin_ += static_cast<size_t>(nl + 1 - p);
    ++line_;
    return true;
  }
  rec->ascii = SplitLine(p, le, delim_, &rec->fields);
  rec->terminated = true;
  rec->error.clear();
  rec->error_column = 0;
  Consume(static_cast<size_t>(nl + 1 - p), 1, rec);
  return true;
}

const char* CsvScanner::ScanQuoted(const char* p, const char* end, bool at_eof, CsvField* field,
                                   Scan* status) {
  const char* start = p + 1;
  const char* q = start;
  bool escaped = false;
  for (;;) {
    const char* x = static_cast<const char*>(std::memchr(q, '"', static_cast<size_t>(end - q)));
    if (x == nullptr) {
      *status = at_eof ? Scan::kOpenQuote : Scan::kNeedMore;
      return nullptr;
    }
    if (x + 1 == end && !at_eof) {
      *status = Scan::kNeedMore;
      return nullptr;
    }
    if (x + 1 < end && x[1] == '"') {
      escaped = true;
      q = x + 2;
      continue;
    }
    q = x;
    break;
  }
  field->quoted = true;
  if (!escaped) {
    field->value = std::string_view(start, static_cast<size_t>(q - start));
  } else {  // collapse "" into " in the scratch area
    char* out = scratch_.get() + scratch_used_;
    char* o = out;
    for (const char* c = start; c < q; ++c) {
      *o++ = *c;
      if (*c == '"') ++c;
    }
    field->value = std::string_view(out, static_cast<size_t>(o - out));
    scratch_used_ += static_cast<size_t>(o - out);
  }
  *status = Scan::kDone;
  return q + 1;
}

CsvScanner::Scan CsvScanner::ScanGeneral(bool at_eof, CsvRecord* rec, size_t* used,
                                         uint64_t* lines) {
  const char* base = buf_.get() + begin_;
  const char* end = buf_.get() + end_;
  const char* p = base;
  if (scratch_cap_ < cap_) {
    scratch_.reset(new char[cap_]);
    scratch_cap_ = cap_;
  }
  scratch_used_ = 0;
  rec->fields.clear();
  rec->error.clear();
  rec->error_column = 0;
  for (;;) {
    CsvField field;
    Stop stop = Stop::kNeedMore;
    if (p < end && *p == '"') {
      Scan st;
      const char* after = ScanQuoted(p, end, at_eof, &field, &st);
      if (st != Scan::kDone) return st;
      p = AfterQuote(after, end, delim_, at_eof, &stop);
      if (p == nullptr) {  // text after the closing quote: note it, then find the field's end
        if (rec->error.empty()) {
          rec->error = "unexpected " + DescribeByte(*after) +
                       " after the closing quote (a quote inside a quoted field must be doubled)";
          rec->error_column = static_cast<uint32_t>(rec->fields.size() + 1);
        }
        std::string_view ignored;
        p = ScanPlain(after, end, delim_, at_eof, &ignored, &stop);
      }
    } else {
      p = ScanPlain(p, end, delim_, at_eof, &field.value, &stop);
    }
    if (stop == Stop::kNeedMore) return Scan::kNeedMore;
    rec->fields.push_back(field);
    if (stop == Stop::kDelim) continue;
    rec->terminated = stop == Stop::kLineEnd;
    break;
  }
  *used = static_cast<size_t>(p - base);
  *lines = static_cast<uint64_t>(std::count(base, p, '\n'));
  rec->ascii = IsAscii(base, *used);
  return Scan::kDone;
}

Status CsvScanner::Next(size_t expected_fields, bool final_file, CsvRecord* rec, ScanResult* result,
                        bool hold_whole_tail) {
  if (check_bom_) {
    bool wait = false;
    SLUICE_RETURN_IF_ERROR(SkipBom(&wait));
    if (wait) {
      *result = ScanResult::kEnd;
      return Status();
    }
  }
  bool at_eof = false;
  for (;;) {
    bool blank = false;
    if (!at_eof && FastLine(rec, &blank)) {
      if (blank) continue;
      *result = ScanResult::kRecord;
      return Status();
    }
    const char* b = buf_.get() + begin_;
    size_t left = end_ - begin_;
    if (at_eof && (left == 0 || (left == 1 && *b == '\r'))) {
      *result = ScanResult::kEnd;
      return Status();
    }
    size_t used = 0;
    uint64_t lines = 0;
    Scan s = ScanGeneral(at_eof, rec, &used, &lines);
    if (s == Scan::kNeedMore) {
      bool more = false;
      SLUICE_RETURN_IF_ERROR(Fill(&more));
      at_eof = !more;
      continue;
    }
    if (s == Scan::kOpenQuote || !rec->terminated) {
      bool complete = s == Scan::kDone && rec->fields.size() == expected_fields;
      if (!final_file && (!complete || hold_whole_tail)) {
        *result = complete ? ScanResult::kWholeTail : ScanResult::kTail;
        return Status();
      }
      if (s == Scan::kOpenQuote) {
        rec->error = "unterminated quoted field (the file ends before its closing quote)";
        rec->error_column = static_cast<uint32_t>(rec->fields.size() + 1);
        rec->terminated = false;
        rec->ascii = IsAscii(b, left);
        used = left;
        lines = static_cast<uint64_t>(std::count(b, b + left, '\n'));
      }
    }
    Consume(used, lines, rec);
    *result = ScanResult::kRecord;
    return Status();
  }
}

}  // namespace sluice::csv
