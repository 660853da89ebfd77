#include "csv_offset.h"

#include "sluice/row.h"

namespace sluice::csv {

void PutOffsetPrefix(std::string* out, std::string_view file) {
  out->push_back(static_cast<char>(kOffsetFormat));
  PutVarint(out, file.size());
  out->append(file.data(), file.size());
}

void PutOffsetPosition(std::string* out, uint64_t position, uint64_t line) {
  PutVarint(out, position);
  PutVarint(out, line);
}

std::string EncodeOffset(const CsvOffset& o) {
  std::string out;
  PutOffsetPrefix(&out, o.file);
  PutOffsetPosition(&out, o.position, o.line);
  return out;
}

Status DecodeOffset(std::string_view data, CsvOffset* out) {
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  const uint8_t* end = p + data.size();
  if (p == end || *p != kOffsetFormat)
    return InvalidArgument(
        "csv offset: unknown format (expected a version 1 offset written by "
        "the csv source)");
  ++p;
  uint64_t len = 0;
  if (!GetVarint(&p, end, &len) || static_cast<uint64_t>(end - p) < len || len == 0)
    return InvalidArgument("csv offset: malformed file name");
  out->file.assign(reinterpret_cast<const char*>(p), len);
  p += len;
  if (!GetVarint(&p, end, &out->position) || !GetVarint(&p, end, &out->line) || p != end ||
      out->line == 0)
    return InvalidArgument("csv offset: malformed position of file " + out->file);
  return Status();
}

}  // namespace sluice::csv
