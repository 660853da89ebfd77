// PostgreSQL column types -> sluice types, and PostgreSQL's text output of
// a value -> that type's sluice value (the text every session of this
// plugin gets: DateStyle=ISO, TimeZone=UTC, extra_float_digits=3,
// bytea_output=hex, IntervalStyle=iso_8601; see pg_conn.h). The mapping is
// documented in docs/source-postgres.md, "Types".
#ifndef SLUICE_SOURCE_POSTGRES_PG_TYPES_H_
#define SLUICE_SOURCE_POSTGRES_PG_TYPES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/row.h"
#include "sluice/schema.h"
#include "sluice/status.h"

namespace pgsrc {

// How a text value becomes a sluice value.
enum class Conv : uint8_t {
  kInt,        // int2, int4, int8, oid; numeric(p<=18, 0) with numeric: number
  kFloat,      // float4, float8; numeric(p<=15, s) with numeric: number
  kBool,       // bool: "t" / "f"
  kText,       // the text as is (strings, json, uuid, arrays, enums, ...)
  kDate,       // "YYYY-MM-DD[ BC]"
  kTimestamp,  // "YYYY-MM-DD HH:MM:SS[.f][+HH[:MM[:SS]]][ BC]"
};

// numeric columns: exact text (default), or numbers where every value fits.
enum class NumericMode : uint8_t { kString, kNumber };

// What a catalog (or a Relation message plus a type look-up) says of a column's type.
struct PgType {
  uint32_t oid = 0;     // the column's type (a domain's base type once resolved)
  int32_t typmod = -1;  // e.g. numeric precision and scale
  char typtype = 'b';   // b base, e enum, d domain (resolved away), c composite, r range, p pseudo
  char category = 'U';  // pg_type.typcategory: A array, N numeric, S string, ...
  std::string name;     // format_type(), for messages
};

// A column's mapping: the sluice type and how to parse values.
struct ColumnType {
  sluice::Type type = sluice::Type::kString;
  Conv conv = Conv::kText;
};

struct TypeOptions {
  NumericMode numeric = NumericMode::kString;
  bool other_types_as_string = false;  // types without a mapping: their text
};

// Maps `t`; INVALID_ARGUMENT naming `column` and the fix when sluice
// cannot hold the type (or, for numeric: number, every value of it).
sluice::Status MapType(const PgType& t, const TypeOptions& options, const std::string& column,
                       ColumnType* out);

// Appends `text` as a value of `c` to `w`. INVALID_ARGUMENT saying why when
// the text is not a value sluice can hold (e.g. a date of 'infinity', a
// NaN in a numeric mapped to int64).
sluice::Status PutValue(ColumnType c, std::string_view text, sluice::RowWriter* w);

// How the snapshot's binary COPY carries a column, chosen so that every
// value ends up exactly as the text form the stream (pgoutput) sends:
// native binary for numbers, booleans, dates and timestamps (no
// formatting on the server, no parsing here), the raw text for text-like
// types, and the type's text output for the rest.
enum class Wire : uint8_t {
  kInt2,
  kInt4,
  kInt8,
  kOid,
  kFloat8,
  kBool,
  kDate,
  kTimestamp,  // big-endian binary
  kRaw,        // binary == the text output (text, varchar, bpchar, name, json, enums, xml)
  kJsonb,      // a version byte, then the text
  kUuid,       // 16 bytes
  kBytea,      // the bytes (written as \x hex, as bytea_output=hex does)
  kText,       // selected as the text output (see CopyExpression)
};
Wire CopyWire(const PgType& t, ColumnType c);
// The select-list expression for column `ident` carried as `wire`: the
// column itself, `col::text`, or `format('%s', col)` where a cast to text
// would not be the output function (bpchar trims, inet adds /32).
std::string CopyExpression(const std::string& ident, const PgType& t, Wire wire);
// Appends one binary COPY field carried as `wire` as a value of `c`.
sluice::Status PutCopyValue(ColumnType c, Wire wire, std::string_view bytes, sluice::RowWriter* w);

// Parsers of PostgreSQL's output forms; false when `s` is not one.
bool ParsePgInt(std::string_view s, int64_t* out);
bool ParsePgFloat(std::string_view s, double* out);
bool ParsePgDate(std::string_view s, int32_t* days);
bool ParsePgTimestamp(std::string_view s, int64_t* micros);

// Well-known type OIDs (pg_type.h), for the mapping and for Relation
// messages, which carry OIDs.
namespace oid {
inline constexpr uint32_t kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21,
                          kInt4 = 23, kText = 25, kOid = 26, kJson = 114, kXml = 142, kFloat4 = 700,
                          kFloat8 = 701, kMoney = 790, kBpchar = 1042, kVarchar = 1043,
                          kDate = 1082, kTime = 1083, kTimestamp = 1114, kTimestamptz = 1184,
                          kInterval = 1186, kTimetz = 1266, kBit = 1560, kVarbit = 1562,
                          kNumeric = 1700, kUuid = 2950, kJsonb = 3802, kInet = 869, kCidr = 650,
                          kMacaddr = 829, kMacaddr8 = 774;
}  // namespace oid

}  // namespace pgsrc

#endif  // SLUICE_SOURCE_POSTGRES_PG_TYPES_H_
