// PinStore: the admin's choice of current version per endpoint, kept in the
// home so that it survives restarts (docs/operations.md, "Pinning a
// version"). A pin is a version number, or "latest" (follow the newest
// ready version: an explicit unpin). It records the config's `version:`
// of the endpoint when it was made, which decides precedence: whichever of
// the two changed last wins. A config `version:` edited after the admin pin
// replaces it; an admin pin made after the config was last edited stays
// until the config's `version:` changes.
//
// One file, {home}/pins.json, rewritten atomically on every change.
// Thread-safe.
#ifndef SLUICE_HOST_REGISTRY_PIN_STORE_H_
#define SLUICE_HOST_REGISTRY_PIN_STORE_H_

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>

#include "sluice/status.h"

namespace sluice::host {

struct AdminPin {
  uint32_t version = 0;         // 0 = latest
  uint32_t config_version = 0;  // the config's `version:` when it was made (0 = latest)
  int64_t at_ms = 0;            // unix time it was made
};

class PinStore {
 public:
  // `file` (may be empty: nothing persisted) is read by Load().
  explicit PinStore(std::filesystem::path file) : file_(std::move(file)) {}

  // Reads the file; a missing file is no pins. DATA_LOSS naming the file
  // when it does not parse (the caller decides whether to go on without).
  Status Load();
  // The pin of `endpoint`, if any.
  bool Get(const std::string& endpoint, AdminPin* out) const;
  // Records (and persists) a pin, or removes it. When the file cannot be
  // written (a full disk), nothing changes: UNAVAILABLE naming the file.
  Status Set(const std::string& endpoint, const AdminPin& pin);
  Status Clear(const std::string& endpoint);

  // Reads `file` into *out (for commands that only read). Missing: empty.
  static Status Read(const std::filesystem::path& file, std::map<std::string, AdminPin>* out);

 private:
  Status SaveLocked() const;
  // Saves; on failure puts `before` back.
  Status SaveOrRestoreLocked(std::map<std::string, AdminPin> before);
  std::filesystem::path file_;
  mutable std::mutex mu_;
  std::map<std::string, AdminPin> pins_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_REGISTRY_PIN_STORE_H_
