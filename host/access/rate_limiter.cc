#include "access/rate_limiter.h"

#include <simdjson.h>

#include <algorithm>
#include <cmath>

namespace sluice::host {

RateLimiter::RateLimiter(std::vector<RateLimitConfig> rules, size_t max_buckets)
    : rules_(std::move(rules)), max_buckets_(max_buckets), buckets_(rules_.size()) {}

std::string RateLimiter::BucketName(const RateLimitConfig& r, const Principal& p,
                                    std::string_view address) {
  std::string by_address = "address " + std::string(address);
  switch (r.by) {
    case RateLimitConfig::By::kAll: return "";
    case RateLimitConfig::By::kAddress: return by_address;
    case RateLimitConfig::By::kPrincipal:
      if (p.cls == PrincipalClass::kAnonymous) return by_address;
      return std::string(PrincipalClassName(p.cls)) + " " + p.name;
    case RateLimitConfig::By::kClaim: {
      simdjson::dom::parser parser;
      simdjson::dom::element v;
      if (p.cls == PrincipalClass::kAnonymous ||
          parser.parse(p.claims_json)[r.claim].get(v) != simdjson::SUCCESS)
        return by_address;  // no such claim: counted by address
      return "claim " + simdjson::to_string(v);
    }
  }
  return by_address;
}

void RateLimiter::Trim(size_t rule, double now_s) {
  auto& map = buckets_[rule];
  if (map.size() < max_buckets_) return;
  const RateLimitConfig& r = rules_[rule];
  double full_after = static_cast<double>(r.burst) / r.per_second;
  for (auto it = map.begin(); it != map.end();)
    it = now_s - it->second.at >= full_after ? map.erase(it) : std::next(it);
  if (map.size() >= max_buckets_) map.clear();
}

void RateLimiter::Forget() {
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& map : buckets_) map.clear();
}

RateDecision RateLimiter::Take(std::string_view endpoint, const Principal& p,
                               std::string_view address, double now_s) {
  RateDecision d;
  if (rules_.empty()) return d;
  struct Hit {
    size_t rule;
    Bucket* bucket;
  };
  std::vector<Hit> hits;
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < rules_.size(); ++i) {
    const RateLimitConfig& r = rules_[i];
    if (r.endpoint != endpoint) continue;
    std::string name = BucketName(r, p, address);
    auto it = buckets_[i].find(name);
    if (it == buckets_[i].end()) {
      Trim(i, now_s);
      it = buckets_[i].emplace(std::move(name), Bucket{static_cast<double>(r.burst), now_s}).first;
    }
    Bucket& b = it->second;
    b.tokens = std::min(static_cast<double>(r.burst), b.tokens + (now_s - b.at) * r.per_second);
    b.at = now_s;
    hits.push_back({i, &b});
  }
  if (hits.empty()) return d;
  d.applied = true;
  for (const Hit& h : hits)
    if (h.bucket->tokens < 1) d.allowed = false;
  // Report the bucket that binds: the empty one when refused, else the
  // one with the fewest tokens left after this request.
  double best = INFINITY;
  for (const Hit& h : hits) {
    const RateLimitConfig& r = rules_[h.rule];
    if (d.allowed) h.bucket->tokens -= 1;
    double left = h.bucket->tokens;
    if (left >= best) continue;
    best = left;
    d.rule = h.rule;
    d.limit = r.burst;
    d.remaining = left < 0 ? 0 : static_cast<uint64_t>(std::floor(left));
    d.reset_s = (static_cast<double>(r.burst) - left) / r.per_second;
    d.retry_after_s = left >= 1 ? 0 : (1 - left) / r.per_second;
  }
  return d;
}

}  // namespace sluice::host
