// Crash-safe file replacement for the artifacts the REST plugin writes.
#ifndef SLUICE_PLUGINS_API_REST_ATOMIC_FILE_H_
#define SLUICE_PLUGINS_API_REST_ATOMIC_FILE_H_

#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::rest {

// Replaces `path` with `contents` so that readers see either the old or the
// new file, never a partial one: writes `path`.tmp, fsyncs it, renames it
// over `path`, then fsyncs the directory. On failure the temporary file is
// removed and the error (NOT_FOUND for a missing directory, else INTERNAL)
// names the file and the failing call.
Status WriteFileAtomically(const std::string& path, std::string_view contents);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_ATOMIC_FILE_H_
