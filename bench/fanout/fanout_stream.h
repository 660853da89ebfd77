// The subscriber side of fanout_load (fanout_load.cc): one subscription's
// state, its parsing (the response head, chunked transfer coding, event
// blocks) and the latency histogram every delivery goes into.
#ifndef SLUICE_BENCH_FANOUT_FANOUT_STREAM_H_
#define SLUICE_BENCH_FANOUT_FANOUT_STREAM_H_

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace fanout {

// Prints "fanout_load: what" and exits with status 2.
[[noreturn]] void Die(const std::string& what);

// Latency histogram in microseconds, log-linear: exact below 256 µs, then
// 128 buckets per power of two (under 0.8% apart). Small enough to stay in
// the cache however the latencies spread.
struct Histogram {
  static constexpr size_t kBuckets = 256 + 48 * 128;
  std::vector<uint64_t> counts = std::vector<uint64_t>(kBuckets, 0);
  uint64_t n = 0;
  int64_t max_ns = 0;
  static size_t Bucket(uint64_t us) {
    if (us < 256) return us;
    int shift = 63 - __builtin_clzll(us) - 7;  // us >> shift is in [128, 256)
    return 256 + size_t(shift - 1) * 128 + size_t((us >> shift) - 128);
  }
  static double Middle(size_t b) {  // µs
    if (b < 256) return double(b) + 0.5;
    size_t k = b - 256;
    int shift = int(k / 128) + 1;
    return double(((k % 128) + 128) << shift) + double(uint64_t(1) << shift) / 2;
  }
  void Add(int64_t ns) {
    if (ns < 0) ns = 0;
    ++counts[std::min(Bucket(uint64_t(ns) / 1000), kBuckets - 1)];
    ++n;
    if (ns > max_ns) max_ns = ns;
  }
  void Merge(const Histogram& o) {
    for (size_t i = 0; i < kBuckets; ++i) counts[i] += o.counts[i];
    n += o.n;
    max_ns = std::max(max_ns, o.max_ns);
  }
  double QuantileMs(double q) const {
    if (n == 0) return 0;
    uint64_t want = static_cast<uint64_t>(q * double(n - 1)) + 1, seen = 0;
    for (size_t i = 0; i < kBuckets; ++i) {
      seen += counts[i];
      if (seen >= want) return std::min(Middle(i) / 1e3, double(max_ns) / 1e6);
    }
    return double(max_ns) / 1e6;
  }
};

// One subscription.
struct Sub {
  int fd = -1;
  std::string buf;         // bytes not parsed yet (after dechunking)
  bool head_done = false;  // the response head has been read
  bool chunked = false;
  uint64_t chunk_left = 0;  // bytes left in the current chunk
  bool chunk_crlf = false;  // a chunk's trailing CRLF is expected
  std::string raw;          // undecoded chunked input not yet consumed
  int status = 0;
  bool closed = false;
  uint64_t expect = 1;  // the next sequence number
  uint64_t got = 0, lost = 0, dup = 0, disorder = 0;
  uint64_t last_offset = 0;
  bool any_offset = false;
  uint64_t offset_sum = 0;  // compared across subscribers (same offsets)
  std::string end_event;    // sluice's last `event: end`, if any
};

// The number after `key` in s (a lowercased HTTP head); false when none.
bool FindU64(std::string_view s, std::string_view key, uint64_t* out);

// Takes the whole HTTP answers (each with a Content-Length) at the front
// of *resp; returns how many. Dies on an answer other than 2xx.
uint64_t TakeAnswers(std::string* resp);

// Parses what s has received (s->buf, or s->raw when chunked) at `now`:
// the head once, then every whole event block, each delivery's latency
// into *h; `sluice`: events carry log offsets, which must increase.
void Parse(Sub* s, int64_t now, Histogram* h, bool sluice);

}  // namespace fanout

#endif  // SLUICE_BENCH_FANOUT_FANOUT_STREAM_H_
