#include "cache/version_cache.h"

#include <algorithm>

#include "core/keycodec.h"
#include "sluice/row.h"
#include "util/log.h"

namespace sluice::host {
namespace {

namespace fs = std::filesystem;

// Where an unreadable cache is moved before it is deleted.
fs::path AsidePath(const fs::path& dir) {
  fs::path aside = dir;
  aside += ".unreadable";
  return aside;
}

// Deletes what an interrupted removal left beside `dir`, if anything.
Status DiscardAside(StoragePlugin& storage, const fs::path& dir) {
  fs::path aside = AsidePath(dir);
  std::error_code ec;
  if (!fs::exists(aside, ec)) return Status();
  SLUICE_RETURN_IF_ERROR(
      storage.RemoveKv(aside.string()).WithContext("remove cache " + aside.string()));
  fs::remove_all(aside, ec);
  if (ec) return Internal("cannot delete " + aside.string() + ": " + ec.message());
  return Status();
}

// Removes an unreadable cache so that a crash at any moment leaves either
// no cache or the unreadable one, never a half-deleted store in its place
// (LevelDB, for one, would open a store whose CURRENT file is gone as a new
// one and replay the stale write-ahead files left in it): the directory is
// moved aside first, atomically, then deleted.
Status RemoveUnreadable(StoragePlugin& storage, const fs::path& dir) {
  SLUICE_RETURN_IF_ERROR(DiscardAside(storage, dir));
  std::error_code ec;
  if (!fs::is_directory(dir, ec))  // a backend that keeps no files there
    return storage.RemoveKv(dir.string()).WithContext("remove cache " + dir.string());
  fs::rename(dir, AsidePath(dir), ec);
  if (ec)
    return Internal("cannot move unreadable cache " + dir.string() + " aside: " + ec.message() +
                    "; delete the directory and start again");
  return DiscardAside(storage, dir);
}

const std::string kMetaKey("\x00m", 2);

std::string EncodeMeta(uint64_t applied, uint64_t rows, uint64_t flags) {
  std::string v;
  PutVarint(&v, applied);
  PutVarint(&v, rows);
  PutVarint(&v, flags);
  return v;
}

}  // namespace

std::string VersionCache::IndexPrefix(uint32_t index_no) {
  std::string p(1, '\x02');
  p.push_back(static_cast<char>(index_no));
  return p;
}

std::string VersionCache::PrefixEnd(const std::string& prefix) {
  std::string end = prefix;
  while (!end.empty() && static_cast<uint8_t>(end.back()) == 0xff) end.pop_back();
  if (!end.empty()) end.back() = static_cast<char>(static_cast<uint8_t>(end.back()) + 1);
  return end;
}

Status VersionCache::Discard(StoragePlugin& storage, const std::filesystem::path& dir) {
  return RemoveUnreadable(storage, dir);
}

Status VersionCache::Open(StoragePlugin& storage, const std::filesystem::path& dir,
                          const TableSchema& schema, std::unique_ptr<VersionCache>* out,
                          bool* rebuilt) {
  *rebuilt = false;
  SLUICE_RETURN_IF_ERROR(DiscardAside(storage, dir));
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::unique_ptr<KvStore> kv;
    Status s = storage.OpenKv(dir.string(), /*create=*/true, &kv);
    std::unique_ptr<VersionCache> c;
    if (s.ok()) {
      c.reset(new VersionCache(std::move(kv), schema));
      c->dir_ = dir;
      s = c->LoadMeta();
      if (s.ok()) s = c->FindMaxKey();
    }
    if (s.ok()) {
      *out = std::move(c);
      return Status();
    }
    if (s.code() != Code::kDataLoss || attempt > 0) return s.WithContext("cache " + dir.string());
    log::Warn("cache", "cache unreadable; rebuilding it from the log",
              {{"dir", dir.string()}, {"reason", s.message()}});
    c.reset();
    SLUICE_RETURN_IF_ERROR(RemoveUnreadable(storage, dir));
    *rebuilt = true;
  }
  return Internal("unreachable");
}

Status VersionCache::ReadMeta(const KvSnapshot* snapshot, CacheMeta* out) const {
  *out = CacheMeta();
  std::string v;
  Status s = kv_->Get(snapshot, kMetaKey, &v);
  if (s.code() == Code::kNotFound) return Status();
  SLUICE_RETURN_IF_ERROR(s);
  const uint8_t* p = reinterpret_cast<const uint8_t*>(v.data());
  const uint8_t* end = p + v.size();
  if (!GetVarint(&p, end, &out->applied) || !GetVarint(&p, end, &out->rows) ||
      !GetVarint(&p, end, &out->flags))
    return DataLoss("malformed cache meta");
  return Status();
}

Status VersionCache::LoadMeta() {
  CacheMeta m;
  Status s = ReadMeta(nullptr, &m);
  if (!s.ok()) return s.code() == Code::kInternal ? DataLoss(s.message()) : s;
  applied_ = m.applied, rows_ = m.rows, flags_ = m.flags;
  return Status();
}

Status VersionCache::FindMaxKey() {
  std::unique_ptr<KvIterator> it;
  std::string lo = PrimaryPrefix();
  SLUICE_RETURN_IF_ERROR(kv_->NewIterator(nullptr, lo, PrefixEnd(lo), /*reverse=*/true, &it));
  bool exhausted = false;
  max_pk_.clear();
  return it->Read(
      1,
      [&](std::string_view k, std::string_view) {
        max_pk_.assign(k.substr(1));
        return false;
      },
      &exhausted);
}

Status VersionCache::Clear() {
  std::vector<std::string> keys;
  std::unique_ptr<KvIterator> it;
  SLUICE_RETURN_IF_ERROR(kv_->NewIterator(nullptr, "", "", false, &it));
  bool exhausted = false;
  while (!exhausted) {
    keys.clear();
    SLUICE_RETURN_IF_ERROR(it->Read(
        10000,
        [&](std::string_view k, std::string_view) {
          keys.emplace_back(k);
          return true;
        },
        &exhausted));
    std::vector<KvOp> ops;
    for (const auto& k : keys)
      if (k != kMetaKey) ops.push_back({KvOp::kDelete, k, {}});
    if (!ops.empty()) SLUICE_RETURN_IF_ERROR(WriteOps(ops.data(), ops.size(), false));
  }
  // The meta entry goes last: a crash midway leaves a cache whose meta still
  // says it is ahead of its log, so the next start clears it again instead
  // of resuming from 0 over rows that are not in the log.
  KvOp meta{KvOp::kDelete, kMetaKey, {}};
  SLUICE_RETURN_IF_ERROR(WriteOps(&meta, 1, /*sync=*/true));
  applied_ = 0, rows_ = 0, flags_ = 0;
  max_pk_.clear();
  return Status();
}

Status VersionCache::WriteOps(const KvOp* ops, size_t count, bool sync) {
  // Readers that took their snapshot before this write may keep using the
  // entries of its rows (they hold the rows as their snapshot sees them);
  // none stored from now on, and none of the rows it changes stays.
  row_cache_->BeginChange();
  if (!row_cache_->Empty())
    for (size_t i = 0; i < count; ++i)
      if (!ops[i].key.empty() && ops[i].key[0] == '\x01') row_cache_->Invalidate(ops[i].key);
  Status s = kv_->Write(ops, count, sync);
  row_cache_->EndChange();
  if (!s.ok()) write_failed_ = true;
  return s;
}

void VersionCache::AddIndexKeys(const std::vector<Value>& row, bool put, std::string_view encoded) {
  for (size_t i = 0; i < schema_.indexes.size(); ++i) {
    std::string* k = batch_.BeginKey();
    k->push_back('\x02');
    k->push_back(static_cast<char>(i));
    AppendKeyFields(k, row, schema_.indexes[i]);
    k->append(pk_);
    put ? static_cast<void>(batch_.EndPut(covering_ ? encoded : std::string_view()))
        : batch_.EndDelete();
  }
}

size_t VersionCache::PutRow(std::string_view row) {
  std::string* k = batch_.BeginKey();
  k->push_back('\x01');
  k->append(pk_);
  size_t at = batch_.EndPut(row);
  AddIndexKeys(decoded_, /*put=*/true, row);
  return at;
}

Status VersionCache::Existing(const std::string& pk, std::string* row, bool* found) {
  *found = false;
  if (max_pk_.empty() || pk > max_pk_) return Status();
  Status s = kv_->Get(nullptr, PrimaryPrefix() + pk, row);
  if (s.code() == Code::kNotFound) return Status();
  SLUICE_RETURN_IF_ERROR(s);
  *found = true;
  return Status();
}

bool VersionCache::FindAppended(Touched* out) const {
  // appended_ holds batch op indexes of primary puts in increasing key order.
  auto it = std::lower_bound(appended_.begin(), appended_.end(), pk_,
                             [&](size_t op, const std::string& pk) {
                               return batch_.Key(op).substr(1) < std::string_view(pk);
                             });
  if (it == appended_.end() || batch_.Key(*it).substr(1) != std::string_view(pk_)) return false;
  *out = Touched{true, batch_.Value(*it)};
  return true;
}

Status VersionCache::Before(Touched* out) {
  if (auto t = touched_.find(pk_); t != touched_.end()) {
    *out = t->second;
    return Status();
  }
  if (FindAppended(out)) return Status();
  *out = Touched{false, {}};
  SLUICE_RETURN_IF_ERROR(Existing(pk_, &existing_, &out->present));
  if (out->present) out->row = existing_;
  return Status();
}

Status VersionCache::ApplyOne(const CacheOp& op, size_t index, int64_t* rows,
                              std::string* new_max) {
  const Schema& schema = schema_.schema;
  std::string err = DecodeRow(schema, op.row, &decoded_);
  if (!err.empty() && op.op != SLUICE_OP_DELETE)
    return DataLoss("log row does not match schema: " + err);
  pk_.clear();
  AppendKeyFields(&pk_, decoded_, schema.primary_key);
  if (pk_ > *new_max) {
    // Past every key stored or put in this batch: a new row, nothing to
    // look up (the common case of a log that appends increasing keys).
    if (op.op == SLUICE_OP_DELETE) return Status();
    appended_.push_back(PutRow(op.row));
    if (derived_) derived_->Change(nullptr, &decoded_, pk_, &batch_);
    ++*rows;
    new_max->assign(pk_);
    return Status();
  }
  Touched before;
  SLUICE_RETURN_IF_ERROR(Before(&before));
  if (before.present && op.op == SLUICE_OP_INSERT) {
    if (dups_.count++ == 0) {
      dups_.first_op = index;
      dups_.first_key = KeyFieldsText(schema, decoded_, schema.primary_key);
    }
    if (on_duplicate_ == OnDuplicate::kError)
      return FailedPrecondition("duplicate primary key (" + dups_.first_key + ") at log offset " +
                                std::to_string(op.offset) + " (on_duplicate: error)");
    if (on_duplicate_ == OnDuplicate::kFirst) return Status();  // the stored row stays
  }
  bool old_ok = before.present && (!schema_.indexes.empty() || derived_) &&
                DecodeRow(schema, before.row, &old_decoded_).empty();
  if (old_ok) AddIndexKeys(old_decoded_, /*put=*/false);
  if (op.op == SLUICE_OP_DELETE) {
    if (before.present) {
      if (derived_ && old_ok) derived_->Change(&old_decoded_, nullptr, pk_, &batch_);
      batch_.BeginKey()->append(PrimaryPrefix() + pk_);
      batch_.EndDelete();
      --*rows;
    }
    touched_[pk_] = Touched{false, {}};
    return Status();
  }
  PutRow(op.row);
  if (derived_) derived_->Change(old_ok ? &old_decoded_ : nullptr, &decoded_, pk_, &batch_);
  if (!before.present) ++*rows;
  touched_[pk_] = Touched{true, op.row};
  return Status();
}

void VersionCache::ReleaseBuffers() {
  batch_.Release();
  appended_ = {};
  touched_ = {};
  std::string().swap(existing_);
}

Status VersionCache::Apply(const std::vector<CacheOp>& ops, uint64_t applied, uint64_t flags) {
  batch_.Reset();
  touched_.clear();
  appended_.clear();
  int64_t rows = static_cast<int64_t>(rows_.load());
  std::string new_max = max_pk_;
  dups_ = DuplicateKeys();
  if (derived_) derived_->Reset();
  for (size_t i = 0; i < ops.size(); ++i)
    SLUICE_RETURN_IF_ERROR(ApplyOne(ops[i], i, &rows, &new_max));
  if (derived_) SLUICE_RETURN_IF_ERROR(derived_->Flush(*kv_, &batch_));
  meta_value_ = EncodeMeta(applied, static_cast<uint64_t>(rows), flags);
  batch_.BeginKey()->append(kMetaKey);
  batch_.EndPut(meta_value_);
  // Synced: one fsync per apply step (thousands of rows) keeps "the cache is
  // the state of some commit boundary" true across power loss, not only
  // across a killed process.
  SLUICE_RETURN_IF_ERROR(WriteOps(batch_.Ops(), batch_.size(), /*sync=*/true));
  max_pk_ = std::move(new_max);
  rows_.store(static_cast<uint64_t>(rows), std::memory_order_release);
  flags_.store(flags, std::memory_order_release);
  applied_.store(applied, std::memory_order_release);
  return Status();
}

}  // namespace sluice::host
