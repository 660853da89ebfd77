// Registry: which version is current and why others are not: pins (the
// config's and the admin's, kept in the home), switches, and the reasons
// given when a version is not ready.
#include <algorithm>

#include "registry/registry.h"
#include "runtime/runtime.h"
#include "util/log.h"

namespace sluice::host {

void Registry::ChoosePinLocked(ServedEndpoint& ep) {
  AdminPin pin;
  const std::string& name = ep.config.name;
  if (!pins_.Get(name, &pin)) return;
  if (pin.config_version != ep.config.version) {
    // The config's `version:` was edited since the admin pinned: it wins.
    log::Info("registry", "the config's version changed since the admin pin; the config wins",
              {{"endpoint", name},
               {"config", ep.config.version ? std::to_string(ep.config.version) : "latest"}});
    (void)pins_.Clear(name);
    return;
  }
  std::vector<uint32_t> versions = runtime_.home().ListVersions(name);
  if (pin.version != 0 &&
      std::find(versions.begin(), versions.end(), pin.version) == versions.end()) {
    log::Warn("registry", "the admin pin names a version that no longer exists; ignored",
              {{"endpoint", name}, {"version", std::to_string(pin.version)}});
    (void)pins_.Clear(name);
    return;
  }
  ep.pinned = pin.version;
  ep.pin_source = "admin";
  ep.pin_since_ms = pin.at_ms;
  log::Info(
      "registry", "admin pin kept from before the restart",
      {{"endpoint", name}, {"version", pin.version ? std::to_string(pin.version) : "latest"}});
}

Status Registry::PinLocked(ServedEndpoint& ep, uint32_t version, const std::string& source) {
  if (version != 0) {
    auto it = ep.versions.find(version);
    if (it == ep.versions.end())
      return NotFound("endpoint " + ep.config.name + " has no version " + std::to_string(version));
    if (!it->second->ready && !Stuck(ep, version, *it->second))
      return FailedPrecondition(NotReadyReason(ep, version, *it->second) +
                                "; try again once it has caught up");
    if (!it->second->ready) {
      it->second->ready = true;
      log::Warn("registry", "serving a version whose ingest stopped, as asked",
                {{"endpoint", ep.config.name},
                 {"version", std::to_string(version)},
                 {"rows", std::to_string(it->second->cache->rows())}});
    }
  }
  int64_t now = UnixMillis();
  if (source == "admin")
    SLUICE_RETURN_IF_ERROR(pins_.Set(ep.config.name, AdminPin{version, ep.config.version, now}));
  else SLUICE_RETURN_IF_ERROR(pins_.Clear(ep.config.name));
  ep.pinned = version;
  ep.pin_source = version != 0 || source == "admin" ? source : "";
  ep.pin_since_ms = source == "admin" ? now : 0;
  if (version != 0) ep.current = version;
  UpdateCurrentLocked(ep);
  log::Info("registry", "current version set",
            {{"endpoint", ep.config.name},
             {"version", version != 0 ? std::to_string(version) : "latest"},
             {"by", source}});
  return Status();
}

Status Registry::SetCurrent(std::string_view endpoint, uint32_t version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ServedEndpoint* ep = FindLocked(endpoint);
    if (ep == nullptr) return NotFound("no endpoint \"" + std::string(endpoint) + "\"");
    SLUICE_RETURN_IF_ERROR(PinLocked(*ep, version, "admin"));
  }
  Notify();
  return Status();
}

Status Registry::SetPinned(std::string_view endpoint, uint32_t version) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ServedEndpoint* ep = FindLocked(endpoint);
    if (ep == nullptr) return NotFound("no endpoint \"" + std::string(endpoint) + "\"");
    uint32_t was = ep->config.version;
    ep->config.version = version;
    Status s = PinLocked(*ep, version, "config");
    if (!s.ok()) {
      ep->config.version = was;
      return s;
    }
  }
  Notify();
  return Status();
}

bool Registry::Stuck(const ServedEndpoint& ep, uint32_t v, ServedVersion& sv) const {
  if (sv.lag() != 0 || sv.rebuilding) return false;
  {
    std::lock_guard<std::mutex> lock(sv.mu);
    if (!sv.halted.empty()) return true;
  }
  if (board_ == nullptr) return false;
  IngestStatus st = board_->Get(ep.config.name);
  return st.version == v && IngestStopped(st.phase);
}

std::string Registry::NotReadyReason(const ServedEndpoint& ep, uint32_t v,
                                     ServedVersion& sv) const {
  std::string head =
      "endpoint " + ep.config.name + " version " + std::to_string(v) + " is not ready";
  {
    std::lock_guard<std::mutex> lock(sv.mu);
    if (!sv.halted.empty())
      return head + ": its cache stopped: " + sv.halted + "; " + std::to_string(sv.cache->rows()) +
             " rows before it are served if an admin makes it current";
  }
  if (board_ != nullptr) {
    IngestStatus st = board_->Get(ep.config.name);
    if (st.version == v && IngestStopped(st.phase))
      return head + ": its ingest " +
             (st.phase == IngestPhase::kSchemaChanged  ? "stopped on a schema change"
              : st.phase == IngestPhase::kLogDamaged   ? "stopped: its log is damaged"
              : st.phase == IngestPhase::kStorageError ? "stopped on a storage error (retried)"
                                                       : "failed") +
             ": " + st.detail;
    if (st.version == v && st.phase == IngestPhase::kWaiting)
      return head + ": its source is waiting: " + st.detail;
  }
  return head + ": its cache is " + std::to_string(sv.lag()) + " log records behind";
}

}  // namespace sluice::host
