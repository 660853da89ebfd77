// The binary row encoding shared by sources, the log, the cache and API
// plugins (specified in docs/formats.md, "Row encoding"):
//
//   row    := varint(field_count) null_bitmap value*
//   bitmap := ceil(field_count / 8) bytes; bit (i % 8) of byte (i / 8) set
//             means field i is null
//   value  := one per non-null field, in field order:
//             int64, timestamp: 8 bytes little-endian two's complement
//             float64: 8 bytes little-endian IEEE-754
//             date: 4 bytes little-endian int32
//             bool: 1 byte, 0 or 1
//             string: varint(byte length) then UTF-8 bytes
//
//   std::string buf;
//   sluice::RowWriter w(&buf, 2);
//   w.Int64(7); w.Null(); w.Finish();
//   sluice::RowReader r(schema, buf);
//   sluice::Value v; while (r.Next(&v)) { ... }  // r.ok() tells if it was well formed
#ifndef SLUICE_ROW_H_
#define SLUICE_ROW_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/schema.h"

namespace sluice {

// Appends a LEB128 varint.
inline void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

// Reads a LEB128 varint at *p (< end), advancing *p. False if malformed.
inline bool GetVarint(const uint8_t** p, const uint8_t* end, uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift <= 63 && *p < end; shift += 7) {
    uint8_t byte = *(*p)++;
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;
}

inline void PutFixed64(std::string* out, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 8);
}
inline void PutFixed32(std::string* out, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>(v >> (8 * i));
  out->append(b, 4);
}
inline uint64_t GetFixed64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}
inline uint32_t GetFixed32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// One decoded value. `str` points into the row it came from.
struct Value {
  Type type = Type::kString;
  bool null = true;
  int64_t i = 0;  // int64, timestamp (micros), date (days), bool (0/1)
  double f = 0;   // float64
  std::string_view str;
};

// Encodes one row, appended to *out. Call exactly one value method per field
// in field order, then Finish(). The caller guarantees the types match the
// schema; the host validates rows it receives from plugins.
class RowWriter {
 public:
  RowWriter(std::string* out, uint32_t field_count) : out_(out), count_(field_count) {
    PutVarint(out_, field_count);
    bitmap_at_ = out_->size();
    out_->append((field_count + 7) / 8, '\0');
  }
  RowWriter(const RowWriter&) = delete;
  RowWriter& operator=(const RowWriter&) = delete;

  void Null() {
    (*out_)[bitmap_at_ + next_ / 8] |= static_cast<char>(1u << (next_ % 8));
    ++next_;
  }
  void Int64(int64_t v) {
    PutFixed64(out_, static_cast<uint64_t>(v));
    ++next_;
  }
  void Timestamp(int64_t micros) { Int64(micros); }
  void Float64(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    PutFixed64(out_, bits);
    ++next_;
  }
  void Bool(bool v) {
    out_->push_back(v ? 1 : 0);
    ++next_;
  }
  void Date(int32_t days) {
    PutFixed32(out_, static_cast<uint32_t>(days));
    ++next_;
  }
  void String(std::string_view s) {
    PutVarint(out_, s.size());
    out_->append(s.data(), s.size());
    ++next_;
  }
  // Writes `v` as its type says (null when v.null).
  void Put(const Value& v) {
    if (v.null) return Null();
    switch (v.type) {
      case Type::kInt64: return Int64(v.i);
      case Type::kTimestamp: return Timestamp(v.i);
      case Type::kFloat64: return Float64(v.f);
      case Type::kBool: return Bool(v.i != 0);
      case Type::kDate: return Date(static_cast<int32_t>(v.i));
      case Type::kString: return String(v.str);
    }
  }
  // True when exactly field_count values were written.
  bool Finish() const { return next_ == count_; }

 private:
  std::string* out_;
  uint32_t count_;
  uint32_t next_ = 0;
  size_t bitmap_at_ = 0;
};

// Decodes a row field by field, checking bounds and nullability as it goes.
class RowReader {
 public:
  RowReader(const Schema& schema, std::string_view row)
      : schema_(schema), p_(reinterpret_cast<const uint8_t*>(row.data())), end_(p_ + row.size()) {
    uint64_t n = 0;
    if (!GetVarint(&p_, end_, &n) || n != schema.fields.size() ||
        static_cast<size_t>(end_ - p_) < (n + 7) / 8) {
      error_ = "field count does not match the schema or row is truncated";
      return;
    }
    bitmap_ = p_;
    p_ += (n + 7) / 8;
  }

  // Decodes the next field into *v. False at the end or on a malformed row
  // (then ok() is false and error() says why).
  bool Next(Value* v) {
    if (!error_.empty() || next_ >= schema_.fields.size()) return false;
    const Field& f = schema_.fields[next_];
    v->type = f.type;
    v->null = (bitmap_[next_ / 8] >> (next_ % 8)) & 1;
    ++next_;
    if (v->null) {
      if (!f.nullable) return Fail("null in non-nullable field " + f.name);
      return true;
    }
    switch (f.type) {
      case Type::kInt64:
      case Type::kTimestamp:
        if (end_ - p_ < 8) return Fail("truncated value of " + f.name);
        v->i = static_cast<int64_t>(GetFixed64(p_));
        p_ += 8;
        return true;
      case Type::kFloat64: {
        if (end_ - p_ < 8) return Fail("truncated value of " + f.name);
        uint64_t bits = GetFixed64(p_);
        std::memcpy(&v->f, &bits, 8);
        p_ += 8;
        return true;
      }
      case Type::kDate:
        if (end_ - p_ < 4) return Fail("truncated value of " + f.name);
        v->i = static_cast<int32_t>(GetFixed32(p_));
        p_ += 4;
        return true;
      case Type::kBool:
        if (end_ - p_ < 1 || *p_ > 1) return Fail("bad bool in " + f.name);
        v->i = *p_++;
        return true;
      case Type::kString: {
        uint64_t len = 0;
        if (!GetVarint(&p_, end_, &len) || static_cast<uint64_t>(end_ - p_) < len)
          return Fail("truncated string in " + f.name);
        v->str = std::string_view(reinterpret_cast<const char*>(p_), len);
        p_ += len;
        return true;
      }
    }
    return Fail("unknown type");
  }
  // Index of the field the last Next() returned.
  size_t index() const { return next_ - 1; }
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // True when every field was read, nothing is left over and no error occurred.
  bool AtCleanEnd() const { return ok() && next_ == schema_.fields.size() && p_ == end_; }

 private:
  bool Fail(std::string why) {
    error_ = std::move(why);
    return false;
  }
  const Schema& schema_;
  const uint8_t* p_;
  const uint8_t* end_;
  const uint8_t* bitmap_ = nullptr;
  size_t next_ = 0;
  std::string error_;
};

// Decodes a whole row into `out` (resized to the field count). Returns an
// empty string on success, else why the row is malformed.
inline std::string DecodeRow(const Schema& schema, std::string_view row, std::vector<Value>* out) {
  out->resize(schema.fields.size());
  RowReader r(schema, row);
  size_t i = 0;
  while (i < out->size() && r.Next(&(*out)[i])) ++i;
  if (!r.ok()) return r.error();
  if (!r.AtCleanEnd()) return "trailing bytes after the last field";
  return std::string();
}

// Builds a sluice_row_batch: rows, per-row ops and per-row offsets, in
// buffers it owns. batch() stays valid until the next mutation.
class RowBatchBuilder {
 public:
  // The buffer rows are appended to; call EndRow() after each one.
  std::string* row_buffer() { return &rows_; }
  // Closes the row appended to row_buffer() since the last EndRow().
  void EndRow(sluice_op op = SLUICE_OP_INSERT, std::string_view offset = {}) {
    row_ends_.push_back(static_cast<uint32_t>(rows_.size()));
    ops_.push_back(static_cast<uint8_t>(op));
    offsets_.append(offset.data(), offset.size());
    offset_ends_.push_back(static_cast<uint32_t>(offsets_.size()));
  }
  // Appends an already encoded row.
  void AddRow(std::string_view row, sluice_op op = SLUICE_OP_INSERT, std::string_view offset = {}) {
    rows_.append(row.data(), row.size());
    EndRow(op, offset);
  }
  size_t row_count() const { return row_ends_.size(); }
  size_t byte_size() const { return rows_.size(); }
  void Clear() {
    rows_.clear();
    row_ends_.clear();
    ops_.clear();
    offsets_.clear();
    offset_ends_.clear();
  }
  // The batch; `note` (may be null) must stay valid as long as the batch.
  const sluice_row_batch* batch(uint64_t rejected = 0, bool at_end = false, uint64_t bytes_done = 0,
                                uint64_t bytes_total = 0, const char* note = nullptr) {
    batch_.struct_size = sizeof(sluice_row_batch);
    batch_.row_count = static_cast<uint32_t>(row_ends_.size());
    batch_.rows = reinterpret_cast<const uint8_t*>(rows_.data());
    batch_.row_ends = row_ends_.data();
    batch_.ops = ops_.data();
    batch_.offsets = reinterpret_cast<const uint8_t*>(offsets_.data());
    batch_.offset_ends = offset_ends_.data();
    batch_.rejected_rows = rejected;
    batch_.at_end = at_end ? 1 : 0;
    batch_.bytes_done = bytes_done;
    batch_.bytes_total = bytes_total;
    batch_.note = note;
    return &batch_;
  }

 private:
  std::string rows_;
  std::vector<uint32_t> row_ends_;
  std::vector<uint8_t> ops_;
  std::string offsets_;
  std::vector<uint32_t> offset_ends_;
  sluice_row_batch batch_{};
};

// The batch's note (sluice_row_batch.note), or "" when it has none or was
// made for an ABI before 1.2.
inline std::string_view BatchNote(const sluice_row_batch& b) {
  if (b.struct_size < offsetof(sluice_row_batch, note) + sizeof(b.note) || b.note == nullptr)
    return {};
  return b.note;
}

// Row i of a batch.
inline std::string_view BatchRow(const sluice_row_batch& b, uint32_t i) {
  uint32_t begin = i == 0 ? 0 : b.row_ends[i - 1];
  return std::string_view(reinterpret_cast<const char*>(b.rows) + begin, b.row_ends[i] - begin);
}
// Offset of row i of a batch (empty when the batch has none).
inline std::string_view BatchOffset(const sluice_row_batch& b, uint32_t i) {
  if (b.offset_ends == nullptr) return {};
  uint32_t begin = i == 0 ? 0 : b.offset_ends[i - 1];
  return std::string_view(reinterpret_cast<const char*>(b.offsets) + begin,
                          b.offset_ends[i] - begin);
}
// Operation of row i of a batch.
inline sluice_op BatchOp(const sluice_row_batch& b, uint32_t i) {
  return b.ops == nullptr ? SLUICE_OP_INSERT : static_cast<sluice_op>(b.ops[i]);
}

}  // namespace sluice

#endif  // SLUICE_ROW_H_
