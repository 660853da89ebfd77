// UTF-8 checks used on every record the CSV scanner produces (the SDK's,
// sluice/utf8.h).
#ifndef SLUICE_PLUGINS_SOURCE_CSV_UTF8_H_
#define SLUICE_PLUGINS_SOURCE_CSV_UTF8_H_

#include "sluice/utf8.h"

namespace sluice::csv {

using sluice::FindInvalidUtf8;
using sluice::IsAscii;

}  // namespace sluice::csv

#endif  // SLUICE_PLUGINS_SOURCE_CSV_UTF8_H_
