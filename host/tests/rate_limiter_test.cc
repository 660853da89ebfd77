// Token buckets of auth.rate_limits (host/access/rate_limiter.h): refill,
// burst, what each `by` counts separately, endpoint rules, the numbers
// reported for RateLimit headers, bounded memory and concurrent takers.
#include "access/rate_limiter.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace sluice::host {
namespace {

RateLimitConfig Rule(RateLimitConfig::By by, double per_second, uint64_t burst,
                     std::string endpoint = "", std::string claim = "") {
  RateLimitConfig r;
  r.by = by, r.per_second = per_second, r.burst = burst, r.endpoint = std::move(endpoint);
  r.claim = std::move(claim);
  return r;
}

Principal Key(const std::string& name, const std::string& claims = "{}") {
  Principal p;
  p.cls = PrincipalClass::kKey, p.name = name, p.claims_json = claims;
  return p;
}

TEST(RateLimiter, BurstThenRefillAtTheRate) {
  RateLimiter l({Rule(RateLimitConfig::By::kAddress, 2, 3)});
  Principal anon;
  for (int i = 0; i < 3; ++i) {
    RateDecision d = l.Take("", anon, "a", 10.0);
    EXPECT_TRUE(d.allowed);
    EXPECT_EQ(d.remaining, 2u - i);
    EXPECT_EQ(d.limit, 3u);
  }
  RateDecision d = l.Take("", anon, "a", 10.0);
  EXPECT_FALSE(d.allowed);
  EXPECT_DOUBLE_EQ(d.retry_after_s, 0.5);  // 2 per second: one token in 0.5 s
  EXPECT_DOUBLE_EQ(d.reset_s, 1.5);
  EXPECT_TRUE(l.Take("", anon, "b", 10.0).allowed);  // another address, another bucket
  EXPECT_FALSE(l.Take("", anon, "a", 10.4).allowed);
  EXPECT_TRUE(l.Take("", anon, "a", 10.5).allowed);
  EXPECT_FALSE(l.Take("", anon, "a", 10.5).allowed);
  EXPECT_EQ(l.Take("", anon, "a", 100.0).remaining, 2u);  // refilled to the burst, not beyond
}

TEST(RateLimiter, WhatEachRuleCountsSeparately) {
  RateLimiter l({Rule(RateLimitConfig::By::kPrincipal, 1, 1),
                 Rule(RateLimitConfig::By::kClaim, 1, 3, "", "tenant")});
  auto tenant_member = [](const char* name) { return Key(name, R"({"tenant":"t1"})"); };
  Principal a = tenant_member("a"), b = tenant_member("b"), c = tenant_member("c"),
            d = tenant_member("d");
  EXPECT_TRUE(l.Take("", a, "x", 0).allowed);
  RateDecision r = l.Take("", a, "y", 0);  // the same key from another address
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.rule, 0u);
  EXPECT_TRUE(l.Take("", b, "x", 0).allowed);
  r = l.Take("", c, "x", 0);
  EXPECT_TRUE(r.allowed);
  EXPECT_EQ(r.remaining, 0u);
  r = l.Take("", d, "x", 0);  // its own key's bucket is full, the tenant's is empty
  EXPECT_FALSE(r.allowed);
  EXPECT_EQ(r.rule, 1u);
  EXPECT_DOUBLE_EQ(r.retry_after_s, 1);
  EXPECT_TRUE(l.Take("", d, "x", 1).allowed);  // the refusal took no token from d's bucket
  // Callers without the claim (or without a credential) are counted by address.
  Principal anon;
  EXPECT_TRUE(l.Take("", anon, "z", 0).allowed);
  EXPECT_FALSE(l.Take("", anon, "z", 0).allowed);
  EXPECT_TRUE(l.Take("", anon, "w", 0).allowed);
}

TEST(RateLimiter, EndpointRulesApplyOnlyToTheirEndpoint) {
  RateLimiter l({Rule(RateLimitConfig::By::kAll, 1, 1, "orders")});
  Principal p = Key("k");
  EXPECT_FALSE(l.Take("", p, "a", 0).applied);
  EXPECT_FALSE(l.Take("zones", p, "a", 0).applied);
  EXPECT_TRUE(l.Take("orders", p, "a", 0).allowed);
  EXPECT_FALSE(l.Take("orders", p, "b", 0).allowed);  // one bucket for all
}

TEST(RateLimiter, MemoryIsBounded) {
  RateLimiter l({Rule(RateLimitConfig::By::kAddress, 1, 1)}, /*max_buckets=*/10);
  Principal anon;
  for (int i = 0; i < 1000; ++i)
    EXPECT_TRUE(l.Take("", anon, "addr" + std::to_string(i), 0).allowed);
  // Buckets that have refilled are forgotten first: a spent one is kept.
  for (int i = 0; i < 9; ++i) l.Take("", anon, "spent" + std::to_string(i), 100);
  EXPECT_FALSE(l.Take("", anon, "spent0", 100).allowed);
}

TEST(RateLimiter, ConcurrentTakersNeverExceedTheBucket) {
  RateLimiter l({Rule(RateLimitConfig::By::kAll, 0.001, 500)});
  Principal p = Key("k");
  std::atomic<int> allowed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) allowed += l.Take("", p, "a", 5.0).allowed ? 1 : 0;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(allowed.load(), 500);
}

}  // namespace
}  // namespace sluice::host
