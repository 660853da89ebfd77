// The storage marker: {home}/storage.json records which storage backends
// wrote the home's log and caches (docs/config.md, "Changing storage backends"):
//
//   { "format": 1, "log": { "plugin": "leveldb" }, "cache": { "plugin": "rocksdb" } }
//
// Each backend keeps its data in its own format, so a home written by one
// backend must not be opened by another. The log is the source of truth
// and cannot be converted; the caches are derived from the log and can be
// deleted and rebuilt.
//
//   StorageBackends configured{"leveldb", "rocksdb"};
//   MarkerCheck check;
//   Status s = EnsureStorageMarker(home, configured, /*rebuild_cache=*/false, &check);
//   if (!s.ok()) { std::cerr << s.message(); ... }  // FAILED_PRECONDITION: a switch
#ifndef SLUICE_HOST_CORE_STORAGE_MARKER_H_
#define SLUICE_HOST_CORE_STORAGE_MARKER_H_

#include <string>
#include <string_view>

#include "core/home.h"
#include "sluice/status.h"

namespace sluice::host {

// Plugin names of the two backends.
struct StorageBackends {
  std::string log;
  std::string cache;
  bool operator==(const StorageBackends& o) const { return log == o.log && cache == o.cache; }
};

// {home}/storage.json
fs::path StorageMarkerFile(const Home& home);

// The marker's text, and its parser. Parse: INVALID_ARGUMENT saying what is
// wrong (not JSON, unknown format, a missing plugin name).
std::string FormatStorageMarker(const StorageBackends& backends);
Status ParseStorageMarker(std::string_view json, StorageBackends* out);

// Reads the marker of `home`: NOT_FOUND when there is none;
// FAILED_PRECONDITION naming the file when it cannot be parsed.
Status ReadStorageMarker(const Home& home, StorageBackends* out);
// Writes it atomically (creating the home directory if needed).
Status WriteStorageMarker(const Home& home, const StorageBackends& backends);

// What EnsureStorageMarker found and did.
struct MarkerCheck {
  enum Outcome {
    kUnchanged,     // the marker names the configured backends
    kRecorded,      // there was no marker: it now names the configured backends
    kAdopted,       // a backend changed but the home held no data of it
    kCacheRebuilt,  // the cache backend changed: the caches were deleted
  };
  Outcome outcome = kUnchanged;
  StorageBackends previous;  // what the marker said before (empty when none)
};

// Checks the `configured` backends against the marker of `home` before any
// log or cache is opened, and records them:
//  - no marker (a new home, or one from before markers): writes one;
//  - the marker names the same backends: nothing to do;
//  - another log backend: FAILED_PRECONDITION (the log cannot be rebuilt),
//    unless the home has no endpoint version yet;
//  - another cache backend: FAILED_PRECONDITION unless `rebuild_cache`, in
//    which case {home}/cache is deleted (rebuilt from the log afterwards),
//    or the home holds no caches. The marker is rewritten in both cases.
// Messages name the home, both backends and how to proceed. REQUIRES: no
// log or cache of the home is open (hold the home's lock).
Status EnsureStorageMarker(const Home& home, const StorageBackends& configured, bool rebuild_cache,
                           MarkerCheck* check);

}  // namespace sluice::host

#endif  // SLUICE_HOST_CORE_STORAGE_MARKER_H_
