// RateLimiter: the token buckets of auth.rate_limits (docs/security.md,
// "Rate limits"). Each rule keeps one bucket per caller as its `by` says
// (client address, principal, a claim's value, or one for all); a request
// takes one token from the bucket of every rule that applies to it, or is
// refused (taking none) when one of them is empty.
//
//   RateLimiter limiter(config.auth.rate_limits);
//   RateDecision d = limiter.Take("", principal, "192.0.2.7", now);   // at the start of a request
//   RateDecision e = limiter.Take("orders", principal, "192.0.2.7", now);  // on reading orders
//   if (!e.allowed) ...  // 429 / RESOURCE_EXHAUSTED, retry after e.retry_after_s
#ifndef SLUICE_HOST_ACCESS_RATE_LIMITER_H_
#define SLUICE_HOST_ACCESS_RATE_LIMITER_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "access/principal.h"
#include "config/auth_config.h"

namespace sluice::host {

struct RateDecision {
  bool applied = false;  // some rule applied (the fields below describe its tightest bucket)
  bool allowed = true;
  uint64_t limit = 0;        // that bucket's size (burst)
  uint64_t remaining = 0;    // whole tokens left in it
  double reset_s = 0;        // until it is full again
  double retry_after_s = 0;  // refused: until it holds a token
  size_t rule = 0;           // the rule of that bucket (index into the rules)
};

class RateLimiter {
 public:
  // Keeps at most `max_buckets` buckets per rule: past that, buckets that
  // have refilled are forgotten (a full bucket is the same as none), and if
  // that is not enough the rule's buckets start afresh.
  explicit RateLimiter(std::vector<RateLimitConfig> rules, size_t max_buckets = 100000);

  bool empty() const { return rules_.empty(); }
  const std::vector<RateLimitConfig>& rules() const { return rules_; }

  // Charges one request of `p` from `address` (an IP literal, "" unknown)
  // to the rules for `endpoint` ("" = the rules without an endpoint, which
  // every request is charged to once when it starts). `now_s`: a monotonic
  // clock in seconds. Thread-safe.
  RateDecision Take(std::string_view endpoint, const Principal& p, std::string_view address,
                    double now_s);
  // Forgets every bucket (a limiter replaced on reload frees its memory;
  // requests still holding it see full buckets).
  void Forget();

 private:
  struct Bucket {
    double tokens = 0;
    double at = 0;  // when `tokens` was last brought up to date
  };
  // The bucket name of `p` under rule `r`.
  static std::string BucketName(const RateLimitConfig& r, const Principal& p,
                                std::string_view address);
  void Trim(size_t rule, double now_s);

  std::vector<RateLimitConfig> rules_;
  size_t max_buckets_;
  std::mutex mu_;
  std::vector<std::map<std::string, Bucket, std::less<>>> buckets_;  // per rule; guarded by mu_
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_ACCESS_RATE_LIMITER_H_
