#include "pgoutput.h"

#include <chrono>
#include <cstdio>

namespace pgsrc {
namespace {

using sluice::Status;

// Reads big-endian integers and strings from a message, remembering the
// first overrun.
class Cursor {
 public:
  explicit Cursor(std::string_view in) : p_(in.data()), end_(in.data() + in.size()) {}
  bool ok() const { return ok_; }
  bool done() const { return p_ == end_; }
  uint64_t U(int bytes) {
    if (end_ - p_ < bytes) {
      ok_ = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(*p_++);
    return v;
  }
  uint8_t U8() { return static_cast<uint8_t>(U(1)); }
  uint16_t U16() { return static_cast<uint16_t>(U(2)); }
  uint32_t U32() { return static_cast<uint32_t>(U(4)); }
  uint64_t U64() { return U(8); }
  // A NUL-terminated string.
  std::string_view CString() {
    const char* start = p_;
    while (p_ < end_ && *p_ != '\0') ++p_;
    if (p_ == end_) {
      ok_ = false;
      return std::string_view();
    }
    return std::string_view(start, static_cast<size_t>(p_++ - start));
  }
  std::string_view Bytes(uint64_t n) {
    if (static_cast<uint64_t>(end_ - p_) < n) {
      ok_ = false;
      return std::string_view();
    }
    std::string_view v(p_, n);
    p_ += n;
    return v;
  }

 private:
  const char* p_;
  const char* end_;
  bool ok_ = true;
};

bool ReadTuple(Cursor& c, Tuple* out) {
  uint16_t n = c.U16();
  out->resize(n);
  for (uint16_t i = 0; i < n && c.ok(); ++i) {
    TupleColumn& col = (*out)[i];
    col.kind = static_cast<char>(c.U8());
    col.text = std::string_view();
    if (col.kind == 't' || col.kind == 'b') {
      uint32_t len = c.U32();
      col.text = c.Bytes(len);
    } else if (col.kind != 'n' && col.kind != 'u') {
      return false;
    }
  }
  return c.ok();
}

Status Malformed(char kind, const char* why) {
  return sluice::InvalidArgument(std::string("malformed pgoutput message '") + kind + "': " + why);
}

}  // namespace

Status DecodeStreamMessage(std::string_view in, StreamMessage* out) {
  if (in.empty()) return sluice::InvalidArgument("empty replication message");
  Cursor c(in.substr(1));
  switch (in[0]) {
    case 'w':
      out->kind = StreamMessage::kXLogData;
      out->wal_start = c.U64();
      out->wal_end = c.U64();
      out->send_time = static_cast<int64_t>(c.U64());
      out->reply_requested = false;
      if (!c.ok()) return sluice::DataLoss("truncated XLogData message");
      out->data = in.substr(25);
      return Status();
    case 'k':
      out->kind = StreamMessage::kKeepalive;
      out->wal_end = c.U64();
      out->send_time = static_cast<int64_t>(c.U64());
      out->reply_requested = c.U8() != 0;
      out->data = std::string_view();
      if (!c.ok()) return sluice::DataLoss("truncated keepalive message");
      return Status();
    default:
      return sluice::InvalidArgument(std::string("unknown replication message '") + in[0] + "'");
  }
}

std::string EncodeStatusUpdate(uint64_t written, uint64_t flushed, uint64_t applied,
                               int64_t now_pg_micros, bool reply_requested) {
  std::string out(1, 'r');
  for (uint64_t v : {written, flushed, applied, static_cast<uint64_t>(now_pg_micros)})
    for (int i = 7; i >= 0; --i) out.push_back(static_cast<char>(v >> (8 * i)));
  out.push_back(reply_requested ? 1 : 0);
  return out;
}

int64_t PgNowMicros() {
  constexpr int64_t kUnixToPg = 946684800LL * 1000000;  // 2000-01-01 in Unix microseconds
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
             .count() -
         kUnixToPg;
}

Status DecodePgOutput(std::string_view in, PgOutputMessage* m) {
  if (in.empty()) return sluice::InvalidArgument("empty pgoutput message");
  const char kind = in[0];
  Cursor c(in.substr(1));
  m->old_kind = 0;
  switch (kind) {
    case 'B':
      m->final_lsn = c.U64();
      m->commit_time = static_cast<int64_t>(c.U64());
      m->xid = c.U32();
      break;
    case 'C':
      c.U8();  // flags, unused
      m->commit_lsn = c.U64();
      m->end_lsn = c.U64();
      m->commit_time = static_cast<int64_t>(c.U64());
      break;
    case 'O':
      c.U64();  // the origin's LSN
      c.CString();
      break;
    case 'R': {
      m->relid = c.U32();
      m->nspname = std::string(c.CString());
      m->relname = std::string(c.CString());
      m->replica_identity = static_cast<char>(c.U8());
      uint16_t n = c.U16();
      m->columns.resize(n);
      for (uint16_t i = 0; i < n && c.ok(); ++i) {
        RelationColumn& col = m->columns[i];
        col.key = (c.U8() & 1) != 0;
        col.name = std::string(c.CString());
        col.type_oid = c.U32();
        col.typmod = static_cast<int32_t>(c.U32());
      }
      break;
    }
    case 'Y':
      m->type_oid = c.U32();
      c.CString();  // namespace
      m->type_name = std::string(c.CString());
      break;
    case 'I':
      m->relid = c.U32();
      if (c.U8() != 'N') return Malformed(kind, "expected a new tuple ('N')");
      if (!ReadTuple(c, &m->new_tuple)) return Malformed(kind, "bad tuple data");
      break;
    case 'U': {
      m->relid = c.U32();
      char next = static_cast<char>(c.U8());
      if (next == 'K' || next == 'O') {
        m->old_kind = next;
        if (!ReadTuple(c, &m->old_tuple)) return Malformed(kind, "bad old tuple data");
        next = static_cast<char>(c.U8());
      }
      if (next != 'N') return Malformed(kind, "expected a new tuple ('N')");
      if (!ReadTuple(c, &m->new_tuple)) return Malformed(kind, "bad tuple data");
      break;
    }
    case 'D': {
      m->relid = c.U32();
      char next = static_cast<char>(c.U8());
      if (next != 'K' && next != 'O') return Malformed(kind, "expected an old tuple ('K' or 'O')");
      m->old_kind = next;
      if (!ReadTuple(c, &m->old_tuple)) return Malformed(kind, "bad tuple data");
      break;
    }
    case 'T': {
      uint32_t n = c.U32();
      m->truncate_flags = c.U8();
      m->truncated.clear();
      for (uint32_t i = 0; i < n && c.ok(); ++i) m->truncated.push_back(c.U32());
      break;
    }
    case 'M':
      c.U8();   // transactional flag
      c.U64();  // LSN
      c.CString();
      c.Bytes(c.U32());
      break;
    case 'S':
    case 'E':
    case 'c':
    case 'A':
    case 'P':
    case 'K':
    case 'r':
    case 'b':
      return sluice::Unimplemented(std::string("pgoutput message '") + kind +
                                   "' belongs to a protocol version this plugin does not ask for");
    default: return Malformed(kind, "unknown message kind");
  }
  if (!c.ok()) return sluice::DataLoss(std::string("truncated pgoutput message '") + kind + "'");
  m->kind = static_cast<PgOutputMessage::Kind>(kind);
  return Status();
}

std::string FormatLsn(uint64_t lsn) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(lsn >> 32),
                static_cast<unsigned>(lsn & 0xffffffffu));
  return buf;
}

bool ParseLsn(std::string_view text, uint64_t* lsn) {
  size_t slash = text.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == text.size()) return false;
  uint64_t parts[2] = {0, 0};
  std::string_view halves[2] = {text.substr(0, slash), text.substr(slash + 1)};
  for (int h = 0; h < 2; ++h) {
    if (halves[h].size() > 8) return false;
    for (char ch : halves[h]) {
      int d = ch >= '0' && ch <= '9'   ? ch - '0'
              : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10
              : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
                                       : -1;
      if (d < 0) return false;
      parts[h] = parts[h] * 16 + static_cast<uint64_t>(d);
    }
  }
  *lsn = (parts[0] << 32) | parts[1];
  return true;
}

}  // namespace pgsrc
