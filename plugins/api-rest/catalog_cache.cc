#include "catalog_cache.h"

#include <utility>

namespace sluice::rest {

Catalog::Catalog(std::vector<EndpointInfo> endpoints) : endpoints_(std::move(endpoints)) {
  for (size_t i = 0; i < endpoints_.size(); ++i) by_path_.emplace(endpoints_[i].path, i);
}

const EndpointInfo* Catalog::FindByPath(std::string_view path) const {
  auto it = by_path_.find(path);
  return it == by_path_.end() ? nullptr : &endpoints_[it->second];
}

const EndpointInfo* Catalog::FindByName(std::string_view name) const {
  for (const EndpointInfo& e : endpoints_)
    if (e.name == name) return &e;
  return nullptr;
}

const VersionInfo* Catalog::FindVersion(const EndpointInfo& endpoint, uint32_t version) {
  for (const VersionInfo& v : endpoint.versions)
    if (v.version == version) return &v;
  return nullptr;
}

std::string Catalog::VersionList(const EndpointInfo& endpoint) {
  std::string out;
  for (const VersionInfo& v : endpoint.versions) {
    if (!out.empty()) out += ", ";
    out += std::to_string(v.version);
  }
  return out.empty() ? "none" : out;
}

Status CatalogCache::Get(std::shared_ptr<const Catalog>* out) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (current_ != nullptr) {
      *out = current_;
      return Status();
    }
  }
  return Refresh(out);
}

Status CatalogCache::Refresh(std::shared_ptr<const Catalog>* out) {
  uint64_t reading;
  {
    std::lock_guard<std::mutex> lock(mu_);
    reading = ++started_;
  }
  std::vector<EndpointInfo> endpoints;
  Status s = api_.Catalog(&endpoints);
  auto fresh = s.ok() ? std::make_shared<const Catalog>(std::move(endpoints)) : nullptr;
  std::lock_guard<std::mutex> lock(mu_);
  if (fresh != nullptr && reading > stored_) {
    current_ = std::move(fresh);
    stored_ = reading;
  }
  if (out != nullptr) *out = current_;
  if (!s.ok() && current_ != nullptr) return Status();  // keep serving the last good one
  return s.WithContext("reading the endpoint catalog");
}

}  // namespace sluice::rest
