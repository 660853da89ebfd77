// Typed records in the protobuf wire format, written straight from sluice
// rows (sluice/row.h) with no Message in between: the bytes are exactly what
// serializing the Record that RowToMessage (record_codec.h) fills would give,
// at a fraction of the cost (no reflection, no per-field allocation).
//
// The Record of a version's generated file (proto_gen.h) has field i + 1 for
// schema field i: int64 -> int64, float64 -> double, bool -> bool, string and
// date -> string, timestamp -> google.protobuf.Timestamp. Nullable scalars
// are proto3 `optional` (written whenever not null); the others have
// implicit presence (written only when not zero or empty).
//
//   std::string body, rec;
//   Status s = AppendRecordWire(&rec, schema, row);
//   AppendLengthDelimited(&body, 1, rec);   // one element of `records = 1`
#ifndef SLUICE_PLUGINS_API_GRPC_RECORD_WIRE_H_
#define SLUICE_PLUGINS_API_GRPC_RECORD_WIRE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace sluice::grpcapi {

// Appends the wire encoding of `row` as the version's Record message to
// *out, only the fields in `select` (field numbers; empty = every field:
// the others stay unset). INTERNAL on a malformed row (*out may then hold
// a partial record).
Status AppendRecordWire(std::string* out, const Schema& schema, std::string_view row,
                        const std::vector<uint32_t>& select = {});

// Appends field `number` with wire type LEN (a string, bytes or embedded
// message) holding `payload`: tag, length, bytes.
void AppendLengthDelimited(std::string* out, uint32_t number, std::string_view payload);

// Appends `v` as a base-128 varint.
void AppendWireVarint(std::string* out, uint64_t v);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_RECORD_WIRE_H_
