#include "core/keycodec.h"

#include <charconv>
#include <cstring>

#include "sluice/timefmt.h"

namespace sluice::host {
namespace {

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>(v >> (8 * i)));
}

}  // namespace

void AppendKeyValue(std::string* out, const Value& v) {
  if (v.null) return out->push_back('\0');
  out->push_back('\1');
  switch (v.type) {
    case Type::kInt64:
    case Type::kTimestamp: return PutBigEndian(out, static_cast<uint64_t>(v.i) ^ (1ull << 63), 8);
    case Type::kDate:
      return PutBigEndian(out, static_cast<uint32_t>(static_cast<int32_t>(v.i)) ^ (1u << 31), 4);
    case Type::kFloat64: {
      double d = v.f == 0 ? 0.0 : v.f;
      uint64_t bits;
      std::memcpy(&bits, &d, 8);
      bits = (bits >> 63) ? ~bits : bits ^ (1ull << 63);
      return PutBigEndian(out, bits, 8);
    }
    case Type::kBool: return out->push_back(v.i ? '\1' : '\0');
    case Type::kString:
      for (char c : v.str) {
        out->push_back(c);
        if (c == '\0') out->push_back('\xff');
      }
      out->push_back('\0');
      out->push_back('\1');
      return;
  }
}

void AppendKeyFields(std::string* out, const std::vector<Value>& row,
                     const std::vector<uint32_t>& fields) {
  for (uint32_t f : fields) AppendKeyValue(out, row[f]);
}

bool ReadKeyValue(Type type, std::string_view key, size_t* pos, std::string* storage, Value* out) {
  *out = Value();
  out->type = type;
  size_t start = *pos;
  if (!SkipKeyValue(type, key, pos)) return false;
  std::string_view b = key.substr(start, *pos - start);
  out->null = b[0] == '\0';
  if (out->null) return true;
  uint64_t x = 0;
  size_t n = type == Type::kDate ? 4 : 8;
  if (type != Type::kString && type != Type::kBool)
    for (size_t i = 0; i < n; ++i) x = (x << 8) | static_cast<uint8_t>(b[1 + i]);
  switch (type) {
    case Type::kInt64:
    case Type::kTimestamp: out->i = static_cast<int64_t>(x ^ (1ull << 63)); break;
    case Type::kDate: out->i = static_cast<int32_t>(static_cast<uint32_t>(x) ^ (1u << 31)); break;
    case Type::kFloat64: {
      uint64_t bits = (x >> 63) ? x ^ (1ull << 63) : ~x;
      std::memcpy(&out->f, &bits, 8);
      break;
    }
    case Type::kBool: out->i = b[1] != 0 ? 1 : 0; break;
    case Type::kString:
      storage->clear();
      for (size_t i = 1; i + 2 < b.size() + 1 && i < b.size() - 2; ++i) {
        storage->push_back(b[i]);
        if (b[i] == '\0') ++i;  // 0x00 0xFF is an escaped 0x00
      }
      out->str = *storage;
      break;
  }
  return true;
}

bool SkipKeyValue(Type type, std::string_view key, size_t* pos) {
  if (*pos >= key.size()) return false;
  if (key[(*pos)++] == '\0') return true;  // null
  size_t n = 0;
  switch (type) {
    case Type::kInt64:
    case Type::kTimestamp:
    case Type::kFloat64: n = 8; break;
    case Type::kDate: n = 4; break;
    case Type::kBool: n = 1; break;
    case Type::kString:
      while (*pos + 1 < key.size()) {
        if (key[*pos] != '\0') {
          ++*pos;
          continue;
        }
        *pos += 2;  // 0x00 0xFF (an escaped zero byte) or 0x00 0x01 (the end)
        if (key[*pos - 1] == '\x01') return true;
      }
      return false;
  }
  if (*pos + n > key.size()) return false;
  *pos += n;
  return true;
}

void AppendValueText(std::string* out, const Value& v) {
  if (v.null) return void(out->append("null"));
  switch (v.type) {
    case Type::kInt64: out->append(std::to_string(v.i)); return;
    case Type::kFloat64: {
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, v.f);
      out->append(buf, r.ptr);
      return;
    }
    case Type::kBool: out->append(v.i ? "true" : "false"); return;
    case Type::kTimestamp: AppendTimestamp(out, v.i); return;
    case Type::kDate: AppendDate(out, static_cast<int32_t>(v.i)); return;
    case Type::kString: out->append(v.str); return;
  }
}

std::string KeyFieldsText(const Schema& schema, const std::vector<Value>& row,
                          const std::vector<uint32_t>& fields) {
  std::string out;
  for (uint32_t f : fields) {
    if (!out.empty()) out += ", ";
    out += schema.fields[f].name + "=";
    AppendValueText(&out, row[f]);
  }
  return out;
}

Status ParseValueText(Type type, std::string_view text, std::string* storage, Value* out) {
  out->type = type;
  out->null = false;
  const char* b = text.data();
  const char* e = b + text.size();
  auto bad = [&](const char* expected) {
    return InvalidArgument(std::string("expected ") + expected + ", found \"" + std::string(text) +
                           "\"");
  };
  switch (type) {
    case Type::kInt64: {
      auto r = std::from_chars(b, e, out->i);
      if (text.empty() || r.ec != std::errc() || r.ptr != e) return bad("an int64");
      return Status();
    }
    case Type::kFloat64: {
      auto r = std::from_chars(b, e, out->f);
      if (text.empty() || r.ec != std::errc() || r.ptr != e) return bad("a float64");
      return Status();
    }
    case Type::kBool:
      if (text == "true") {
        out->i = 1;
        return Status();
      }
      if (text == "false") {
        out->i = 0;
        return Status();
      }
      return bad("true or false");
    case Type::kTimestamp:
      if (!ParseTimestamp(text, &out->i)) return bad("an ISO-8601 timestamp");
      return Status();
    case Type::kDate: {
      int32_t d;
      if (!ParseDate(text, &d)) return bad("a date YYYY-MM-DD");
      out->i = d;
      return Status();
    }
    case Type::kString:
      *storage = std::string(text);
      out->str = *storage;
      return Status();
  }
  return bad("a known type");
}

Status ParseKeyText(const Schema& schema, std::string_view text, std::string* key) {
  std::vector<std::string> parts(1);
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && (text[i + 1] == ',' || text[i + 1] == '\\')) {
      parts.back().push_back(text[++i]);
    } else if (c == ',' && schema.primary_key.size() > 1) {
      parts.emplace_back();
    } else {
      parts.back().push_back(c);
    }
  }
  if (parts.size() != schema.primary_key.size())
    return InvalidArgument("key \"" + std::string(text) + "\": expected " +
                           std::to_string(schema.primary_key.size()) +
                           " comma-separated values, found " + std::to_string(parts.size()));
  key->clear();
  for (size_t i = 0; i < parts.size(); ++i) {
    const Field& f = schema.fields[schema.primary_key[i]];
    std::string storage;
    Value v;
    Status s = ParseValueText(f.type, parts[i], &storage, &v);
    if (!s.ok()) return InvalidArgument("key field " + f.name + ": " + s.message());
    AppendKeyValue(key, v);
  }
  return Status();
}

}  // namespace sluice::host
