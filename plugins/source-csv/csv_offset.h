// The per-row resume offset of the csv source (format in docs/source-csv.md,
// "Offsets"):
//
//   offset := 0x01 varint(name_length) name varint(position) varint(line)
//
// `name` is the base name of the file the row came from, `position` the byte
// position just after the row (and its line break), `line` the 1-based
// physical line the next row starts on.
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_OFFSET_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_OFFSET_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::csv {

constexpr uint8_t kOffsetFormat = 1;

struct CsvOffset {
  std::string file;
  uint64_t position = 0;
  uint64_t line = 0;
};

// Appends the prefix every offset of rows from `file` shares.
void PutOffsetPrefix(std::string* out, std::string_view file);
// Appends the rest of an offset after PutOffsetPrefix().
void PutOffsetPosition(std::string* out, uint64_t position, uint64_t line);
// Encodes a whole offset.
std::string EncodeOffset(const CsvOffset& o);
// Decodes an offset. InvalidArgument when it is malformed or of another format.
Status DecodeOffset(std::string_view data, CsvOffset* out);

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_OFFSET_H_
