#include "pg_offset.h"

#include "pgoutput.h"
#include "sluice/row.h"

namespace pgsrc {
namespace {

constexpr char kMagic = 'P';
constexpr char kFormat = 1;

void PutString(std::string* out, std::string_view s) {
  sluice::PutVarint(out, s.size());
  out->append(s.data(), s.size());
}
void PutKey(std::string* out, const KeyText& k) {
  sluice::PutVarint(out, k.size());
  for (const std::string& part : k) PutString(out, part);
}

class Reader {
 public:
  explicit Reader(std::string_view in)
      : p_(reinterpret_cast<const uint8_t*>(in.data())), end_(p_ + in.size()) {}
  bool ok() const { return ok_; }
  bool done() const { return p_ == end_; }
  uint8_t Byte() {
    if (p_ == end_) {
      ok_ = false;
      return 0;
    }
    return *p_++;
  }
  uint64_t Varint() {
    uint64_t v = 0;
    if (!sluice::GetVarint(&p_, end_, &v)) ok_ = false;
    return v;
  }
  uint64_t Fixed64() {
    if (end_ - p_ < 8) {
      ok_ = false;
      return 0;
    }
    uint64_t v = sluice::GetFixed64(p_);
    p_ += 8;
    return v;
  }
  std::string String() {
    uint64_t n = Varint();
    if (!ok_ || static_cast<uint64_t>(end_ - p_) < n) {
      ok_ = false;
      return std::string();
    }
    std::string s(reinterpret_cast<const char*>(p_), n);
    p_ += n;
    return s;
  }
  KeyText Key() {
    uint64_t n = Varint();
    KeyText k;
    if (n > 32) {
      ok_ = false;
      return k;
    }  // PostgreSQL keys have at most 32 columns
    for (uint64_t i = 0; i < n && ok_; ++i) k.push_back(String());
    return k;
  }

 private:
  const uint8_t* p_;
  const uint8_t* end_;
  bool ok_ = true;
};

std::string KeyForHumans(const KeyText& k) {
  std::string out = "(";
  for (size_t i = 0; i < k.size(); ++i) out += (i ? ", " : "") + k[i];
  return out + ")";
}

}  // namespace

std::string EncodeOffset(const PgOffset& o) {
  std::string out;
  out.push_back(kMagic);
  out.push_back(kFormat);
  out.push_back(o.snapshot ? 1 : 0);
  PutString(&out, o.slot);
  sluice::PutFixed64(&out, o.start_lsn);
  sluice::PutFixed64(&out, o.lsn);
  PutKey(&out, o.last_key);
  sluice::PutVarint(&out, o.segments.size());
  for (const Segment& s : o.segments) {
    PutKey(&out, s.after);
    sluice::PutFixed64(&out, s.lsn);
  }
  return out;
}

sluice::Status DecodeOffset(std::string_view bytes, PgOffset* out) {
  auto bad = [&](const char* why) {
    return sluice::InvalidArgument(std::string("offset is not one the postgres source writes (") +
                                   why +
                                   "); was this endpoint's log written by another source plugin?");
  };
  if (bytes.size() < 3 || bytes[0] != kMagic) return bad("no 'P' mark");
  if (bytes[1] != kFormat)
    return bad(("format " + std::to_string(static_cast<int>(bytes[1])) + ", expected 1").c_str());
  Reader r(bytes.substr(2));
  PgOffset o;
  uint8_t phase = r.Byte();
  if (phase > 1) return bad("unknown phase");
  o.snapshot = phase == 1;
  o.slot = r.String();
  o.start_lsn = r.Fixed64();
  o.lsn = r.Fixed64();
  o.last_key = r.Key();
  uint64_t n = r.Varint();
  for (uint64_t i = 0; i < n && r.ok() && i < 100000; ++i) {
    Segment s;
    s.after = r.Key();
    s.lsn = r.Fixed64();
    o.segments.push_back(std::move(s));
  }
  if (!r.ok() || !r.done()) return bad("truncated or trailing bytes");
  bool name_ok = !o.slot.empty() && o.slot.size() <= 63;
  for (char c : o.slot)
    name_ok = name_ok && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  if (!name_ok) return bad("not a slot name of this plugin");
  *out = std::move(o);
  return sluice::Status();
}

std::string DescribeOffset(const PgOffset& o) {
  if (o.snapshot)
    return "snapshot of slot " + o.slot +
           (o.last_key.empty() ? std::string(" before its first row")
                               : " after key " + KeyForHumans(o.last_key));
  return "LSN " + FormatLsn(o.lsn) + " of slot " + o.slot;
}

}  // namespace pgsrc
