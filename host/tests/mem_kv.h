// An in-memory sluice::KvStore for host tests: a std::map published as an
// immutable shared_ptr<const Map> that every Write replaces (copy-on-write),
// so snapshots and iterators are plain references to one version. Real
// ordered semantics: bytewise keys, [lower, upper) bounds, forward and
// reverse iteration, atomic batches. MemStorage wraps it as a StoragePlugin
// so VersionCache can open it by directory; its logs are sluice::KvLogs on
// such stores.
#ifndef SLUICE_HOST_TESTS_MEM_KV_H_
#define SLUICE_HOST_TESTS_MEM_KV_H_

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "sluice/kv_log.h"
#include "sluice/storage.h"

namespace sluice::memkv {

using Map = std::map<std::string, std::string, std::less<>>;
using MapPtr = std::shared_ptr<const Map>;

// The shared contents of one store directory.
struct State {
  std::mutex mu;
  MapPtr map = std::make_shared<const Map>();
  MapPtr Current() {
    std::lock_guard<std::mutex> l(mu);
    return map;
  }
};

class MemSnapshot : public KvSnapshot {
 public:
  explicit MemSnapshot(MapPtr m) : map(std::move(m)) {}
  MapPtr map;
};

class MemIterator : public KvIterator {
 public:
  MemIterator(MapPtr m, std::string_view lower, std::string_view upper, bool reverse)
      : map_(std::move(m)), lower_(lower), upper_(upper), reverse_(reverse) {
    lo_ = map_->lower_bound(lower_);
    end_ = upper_.empty() ? map_->end() : map_->lower_bound(upper_);
    if (!upper_.empty() && upper_ <= lower_) end_ = lo_;  // empty range
    cur_ = reverse_ ? end_ : lo_;
  }

  // Forward: cur_ is the next entry to deliver. Reverse: the entry before
  // cur_ is.
  Status Seek(std::string_view key) override {
    if (key < lower_) {
      cur_ = lo_;
    } else if (!upper_.empty() && key >= upper_) {
      cur_ = end_;
    } else {
      cur_ = reverse_ ? map_->upper_bound(key) : map_->lower_bound(key);
    }
    return Status();
  }

  Status Read(size_t max_entries, EntryFn fn, bool* exhausted) override {
    bool go = true;
    for (size_t n = 0; n < max_entries && go && !AtEnd(); ++n) {
      Map::const_iterator e = reverse_ ? std::prev(cur_) : cur_;
      cur_ = reverse_ ? e : std::next(cur_);
      go = fn(e->first, e->second);
    }
    *exhausted = AtEnd();
    return Status();
  }

 private:
  bool AtEnd() const { return reverse_ ? cur_ == lo_ : cur_ == end_; }

  MapPtr map_;
  std::string lower_, upper_;
  bool reverse_;
  Map::const_iterator lo_, end_, cur_;
};

class MemKvStore : public KvStore {
 public:
  explicit MemKvStore(std::shared_ptr<State> state) : state_(std::move(state)) {}

  Status Write(const KvOp* ops, size_t count, bool) override {
    std::lock_guard<std::mutex> l(state_->mu);
    auto next = std::make_shared<Map>(*state_->map);
    for (size_t i = 0; i < count; ++i) {
      if (ops[i].kind == KvOp::kPut) {
        (*next)[std::string(ops[i].key)] = std::string(ops[i].value);
      } else {
        auto it = next->find(ops[i].key);
        if (it != next->end()) next->erase(it);
      }
    }
    state_->map = std::move(next);
    return Status();
  }

  Status Get(const KvSnapshot* snapshot, std::string_view key, std::string* value) override {
    MapPtr m = View(snapshot);
    auto it = m->find(key);
    if (it == m->end()) return NotFound("key not found");
    *value = it->second;
    return Status();
  }

  Status NewSnapshot(std::unique_ptr<KvSnapshot>* out) override {
    *out = std::make_unique<MemSnapshot>(state_->Current());
    return Status();
  }

  Status NewIterator(const KvSnapshot* snapshot, std::string_view lower, std::string_view upper,
                     bool reverse, std::unique_ptr<KvIterator>* out) override {
    *out = std::make_unique<MemIterator>(View(snapshot), lower, upper, reverse);
    return Status();
  }

 private:
  MapPtr View(const KvSnapshot* snapshot) {
    return snapshot ? static_cast<const MemSnapshot*>(snapshot)->map : state_->Current();
  }
  std::shared_ptr<State> state_;
};

// StoragePlugin over MemKvStore: stores are kept per directory for the
// plugin's lifetime (reopening a directory sees its data). A log is a
// KvLog on the store of its directory.
class MemStorage : public StoragePlugin {
 public:
  Status OpenLog(const std::string& name, const std::string& dir, bool create,
                 std::unique_ptr<Log>* out) override {
    std::unique_ptr<KvStore> kv;
    SLUICE_RETURN_IF_ERROR(OpenKv(dir, create, &kv));
    return KvLog::Open(name, dir, std::move(kv), out);
  }
  Status RemoveLog(const std::string&, const std::string& dir) override { return RemoveKv(dir); }
  Status OpenKv(const std::string& dir, bool create, std::unique_ptr<KvStore>* out) override {
    std::lock_guard<std::mutex> l(mu_);
    auto it = stores_.find(dir);
    if (it == stores_.end()) {
      if (!create) return NotFound("no store at " + dir);
      it = stores_.emplace(dir, std::make_shared<State>()).first;
    }
    *out = std::make_unique<MemKvStore>(it->second);
    return Status();
  }
  Status RemoveKv(const std::string& dir) override {
    std::lock_guard<std::mutex> l(mu_);
    stores_.erase(dir);
    return Status();
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<State>> stores_;
};

}  // namespace sluice::memkv

#endif  // SLUICE_HOST_TESTS_MEM_KV_H_
