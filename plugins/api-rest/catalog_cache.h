// The REST plugin's copy of the host's endpoint catalog, so that routing a
// request does not ask the host every time. Re-read when the host reports a
// change (CatalogChanged) and whenever a path or version is not found in it
// (a version may have appeared before the notification arrived).
//
//   CatalogCache cache(api);
//   std::shared_ptr<const Catalog> c;
//   Status s = cache.Get(&c);
//   const EndpointInfo* e = c->FindByPath("/trips");
#ifndef SLUICE_PLUGINS_API_REST_CATALOG_CACHE_H_
#define SLUICE_PLUGINS_API_REST_CATALOG_CACHE_H_

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sluice/api_host.h"
#include "sluice/status.h"

namespace sluice::rest {

// One immutable reading of the catalog. Shared by concurrent requests.
class Catalog {
 public:
  explicit Catalog(std::vector<EndpointInfo> endpoints);
  Catalog(const Catalog&) = delete;
  Catalog& operator=(const Catalog&) = delete;

  const std::vector<EndpointInfo>& endpoints() const { return endpoints_; }
  // The endpoint whose REST path is exactly `path`, or nullptr.
  const EndpointInfo* FindByPath(std::string_view path) const;
  // The endpoint called `name`, or nullptr.
  const EndpointInfo* FindByName(std::string_view name) const;
  // Version `version` of `endpoint`, or nullptr.
  static const VersionInfo* FindVersion(const EndpointInfo& endpoint, uint32_t version);
  // "1, 2, 3": the versions of `endpoint`, for messages.
  static std::string VersionList(const EndpointInfo& endpoint);
  // How many log records `v`'s cache is behind its log (0 when caught up).
  static uint64_t Lag(const VersionInfo& v) {
    return v.log_end > v.cache_offset ? v.log_end - v.cache_offset : 0;
  }

 private:
  std::vector<EndpointInfo> endpoints_;
  std::unordered_map<std::string_view, size_t> by_path_;  // views into endpoints_
};

// Thread-safe holder of the latest Catalog.
class CatalogCache {
 public:
  explicit CatalogCache(const ApiHost& api) : api_(api) {}
  CatalogCache(const CatalogCache&) = delete;
  CatalogCache& operator=(const CatalogCache&) = delete;

  // The cached catalog, read from the host first if there is none yet.
  // Errors only when the host cannot list its catalog and nothing is cached.
  Status Get(std::shared_ptr<const Catalog>* out);
  // Reads the catalog from the host now and caches it; *out (if non-null)
  // gets it. When the host fails, the previous catalog stays cached and is
  // returned with OK; with none cached, the host's error is returned.
  // Concurrent refreshes never replace a newer reading by an older one.
  Status Refresh(std::shared_ptr<const Catalog>* out);

 private:
  ApiHost api_;
  std::mutex mu_;
  uint64_t started_ = 0;                    // guarded by mu_: readings begun
  uint64_t stored_ = 0;                     // guarded by mu_: reading now cached
  std::shared_ptr<const Catalog> current_;  // guarded by mu_
};

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_CATALOG_CACHE_H_
