// Order-preserving key encoding (docs/formats.md, "Cache keys"): the bytes
// of encoded keys compare (memcmp) in the same order as the values they
// encode, so the ordered key/value store serves key and range lookups.
//
//   null        0x00
//   non-null    0x01, then
//     int64, timestamp   8 bytes big-endian of (value XOR 1<<63)
//     date               4 bytes big-endian of (value XOR 1<<31)
//     float64            8 bytes big-endian: bits XOR 1<<63 if >= 0, ~bits if < 0
//                        (-0.0 encoded as +0.0)
//     bool               1 byte 0 or 1
//     string             bytes with 0x00 escaped as 0x00 0xFF, ended by 0x00 0x01
//
// Composite keys concatenate their components; each is self-delimiting.
#ifndef SLUICE_HOST_CORE_KEYCODEC_H_
#define SLUICE_HOST_CORE_KEYCODEC_H_

#include <string>
#include <string_view>
#include <vector>

#include "sluice/row.h"
#include "sluice/status.h"

namespace sluice::host {

// Appends the key encoding of one value.
void AppendKeyValue(std::string* out, const Value& v);

// Appends the encoding of row[fields[0]], row[fields[1]], ...
void AppendKeyFields(std::string* out, const std::vector<Value>& row,
                     const std::vector<uint32_t>& fields);

// Advances *pos past one value of `type` encoded by AppendKeyValue in
// `key` (the inverse walk, used to find where a composite key's next
// component starts). False when key[*pos..] ends before the value does;
// *pos is then unspecified. Does not check the bytes beyond their lengths
// and terminators: a string ends at the first 0x00 0x01.
bool SkipKeyValue(Type type, std::string_view key, size_t* pos);

// Reads one value of `type` encoded by AppendKeyValue at key[*pos..] into
// *out and advances *pos past it; a string is unescaped into *storage,
// which out->str then views. False when the bytes end early.
bool ReadKeyValue(Type type, std::string_view key, size_t* pos, std::string* storage, Value* out);

// Parses a value of `type` from text (as in URLs and config): integers,
// decimal floats, true/false, ISO-8601 timestamps and dates, strings as-is.
// InvalidArgument with expected vs found.
Status ParseValueText(Type type, std::string_view text, std::string* storage, Value* out);

// Appends `v` as ParseValueText reads it back ("null" for a null).
void AppendValueText(std::string* out, const Value& v);

// The values of row[fields...] as "name=value, name=value", for messages.
std::string KeyFieldsText(const Schema& schema, const std::vector<Value>& row,
                          const std::vector<uint32_t>& fields);

// Parses primary-key text (docs/query.md, "Keys") into an encoded key:
// one value per key field, separated by ',' ; '\' escapes ',' and '\'.
Status ParseKeyText(const Schema& schema, std::string_view text, std::string* key);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CORE_KEYCODEC_H_
