#include "cache/row_cache.h"

#include <functional>

namespace sluice::host {

RowCache::RowCache(size_t capacity_bytes)
    : capacity_(capacity_bytes),
      shard_capacity_(capacity_bytes / kShards),
      shards_(capacity_bytes > 0 ? new Shard[kShards] : nullptr) {}

RowCache::Shard& RowCache::ShardOf(std::string_view key) {
  return shards_[std::hash<std::string_view>()(key) % kShards];
}

bool RowCache::ReadEpoch(uint64_t* epoch, FunctionRef<Status()> take_snapshot,
                         Status* status) const {
  uint64_t before = epoch_.load();
  *status = take_snapshot();
  uint64_t after = epoch_.load();
  *epoch = before;
  return status->ok() && enabled() && before == after && (before & 1) == 0;
}

bool RowCache::Lookup(std::string_view key, uint64_t epoch, std::string* row) {
  if (!enabled() || entries_.load(std::memory_order_relaxed) == 0) return false;
  Shard& s = ShardOf(key);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(key);
  if (it == s.map.end() || it->second->epoch > epoch) return false;
  s.lru.splice(s.lru.begin(), s.lru, it->second);
  row->assign(it->second->row);
  return true;
}

void RowCache::Erase(Shard& s, std::list<Entry>::iterator it) {
  s.bytes -= it->key.size() + it->row.size() + kEntryOverhead;
  s.map.erase(std::string_view(it->key));
  s.lru.erase(it);
  entries_.fetch_sub(1);
}

void RowCache::Insert(std::string_view key, std::string_view row, uint64_t epoch) {
  if (!enabled()) return;
  size_t size = key.size() + row.size() + kEntryOverhead;
  if (size > shard_capacity_ / 16) return;
  Shard& s = ShardOf(key);
  std::lock_guard<std::mutex> lock(s.mu);
  // Checked under the shard's lock: a change that begins after this check
  // removes its keys under the same lock, so after this entry is stored.
  if (epoch_.load() != epoch) return;
  auto found = s.map.find(key);
  if (found != s.map.end()) Erase(s, found->second);
  while (s.bytes + size > shard_capacity_ && !s.lru.empty()) Erase(s, std::prev(s.lru.end()));
  s.lru.push_front(Entry{std::string(key), std::string(row), epoch});
  s.map.emplace(std::string_view(s.lru.front().key), s.lru.begin());
  s.bytes += size;
  entries_.fetch_add(1);
}

void RowCache::BeginChange() {
  if (enabled()) epoch_.fetch_add(1);  // odd: no Insert() stores from now on
}

void RowCache::Invalidate(std::string_view key) {
  if (!enabled()) return;
  Shard& s = ShardOf(key);
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.map.find(key);
  if (it != s.map.end()) Erase(s, it->second);
}

void RowCache::Clear() {
  if (!enabled()) return;
  for (size_t i = 0; i < kShards; ++i) {
    Shard& s = shards_[i];
    std::lock_guard<std::mutex> lock(s.mu);
    while (!s.lru.empty()) Erase(s, s.lru.begin());
  }
}

void RowCache::EndChange() {
  if (enabled()) epoch_.fetch_add(1);  // even: readers from now on may use it
}

size_t RowCache::bytes() const {
  size_t total = 0;
  for (size_t i = 0; enabled() && i < kShards; ++i) {
    std::lock_guard<std::mutex> lock(shards_[i].mu);
    total += shards_[i].bytes;
  }
  return total;
}

}  // namespace sluice::host
