// Text -> typed value conversions shared by schema inference and the reader.
// All functions are locale-free, allocation-free and accept exactly the
// syntax documented in docs/source-csv.md ("Values").
//
// The rule behind every parser: a text is a value of a type only when the
// value stands for exactly what the text says, so that serving it never
// changes what the file holds. "00501", "+5", " 7" and "-0" are not int64
// values (they would come back as 501, 5, 7 and 0); a decimal with more
// significant digits than a float64 keeps is not a float64 value. Such a
// text in a column of that type is a type conflict (a bad row), never a
// silently different value.
#ifndef SLUICE_PLUGINS_SOURCE_CSV_CSV_VALUES_H_
#define SLUICE_PLUGINS_SOURCE_CSV_CSV_VALUES_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/schema.h"

namespace sluice::csv {

// [-]digits fitting in int64, without leading zeros ("0" itself is fine)
// and not "-0". False on anything else (no '+', no spaces).
bool ParseInt64(std::string_view s, int64_t* out);

// [-] digits [. digits] [e|E [+-] digits] (also "1." and ".5"), finite,
// without a leading '+' or leading zeros ("0.5" is fine, "00.5" is not),
// and exact to the float64 it parses to: its significant digits are those
// of the shortest text that reads back as that float64 (so "1.50" and
// "0.1" are values, a 20-digit decimal that float64 would round is not).
// False on anything else, including "nan", "inf" and spaces.
bool ParseFloat64(std::string_view s, double* out);

// "true" / "false", any letter case.
bool ParseBool(std::string_view s, bool* out);

// True when `s` looks like a number written with a leading zero ("00501",
// "-007", "01.5") — such columns are identifiers, kept as strings. "0",
// "0.5" and "-0" are not leading zeros.
bool HasLeadingZero(std::string_view s);

// Bit flags of the inferable types a value fits (bit i = InferOrder()[i]).
enum TypeBits : uint32_t {
  kFitsBool = 1u << 0,
  kFitsInt64 = 1u << 1,
  kFitsFloat64 = 1u << 2,
  kFitsDate = 1u << 3,
  kFitsTimestamp = 1u << 4,
  kFitsAll = (1u << 5) - 1,
};

// Which types the non-empty text `s` fits, for schema inference. Numbers
// with a leading zero fit none of int64/float64; bool needs true/false.
uint32_t FitMask(std::string_view s);

// The narrowest type a column fits given the AND of its values' masks:
// bool, int64, float64, date, timestamp in that order, else string.
Type NarrowestType(uint32_t mask);

// `s` quoted for an error message, cut to about 60 bytes: "abc", "abc…".
std::string QuoteForMessage(std::string_view s);

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_CSV_VALUES_H_
