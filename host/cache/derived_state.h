// DerivedState: what the cache keeps besides rows and secondary indexes,
// written in the same atomic batch as the rows they derive from
// (docs/formats.md, "Cache keys"):
//
//   0x03 agg_no group_key                      a declared aggregate's group: GroupAcc bytes
//   0x04 agg_no slot group_key value_key       rows of the group holding that value of the
//                                              slot-th tracked field (min/max): varint count
//   0x05 field_no token 0x00 pk_key            full-text posting: varint occurrences
//
// VersionCache::Apply tells it every row change of a batch (Change), then
// asks for the batch's ops (Flush): aggregate groups and value counts are
// read, updated by the batch's net change and written back (deleted when
// they reach zero); postings are deleted for the old row and put for the
// new one. A crash leaves either all of a batch or none of it.
#ifndef SLUICE_HOST_CACHE_DERIVED_STATE_H_
#define SLUICE_HOST_CACHE_DERIVED_STATE_H_

#include <deque>
#include <map>
#include <string>
#include <vector>

#include "cache/cache_batch.h"
#include "core/aggregate.h"
#include "core/table_schema.h"
#include "sluice/storage.h"

namespace sluice::host {

class DerivedState {
 public:
  explicit DerivedState(const TableSchema& t);

  // True when the table declares aggregates or full-text fields.
  static bool Needed(const TableSchema& t) { return !t.aggregates.empty() || !t.full_text.empty(); }

  // Key prefixes, for readers. AggregatePrefix(a) + group_key is a group's
  // entry; ValuePrefix(a, slot) + group_key + value_key a value count;
  // PostingPrefix(f) + token + '\0' + pk a posting.
  static std::string AggregatePrefix(uint32_t agg);
  static std::string ValuePrefix(uint32_t agg, uint32_t slot);
  static std::string PostingPrefix(uint32_t field);

  // Forgets the batch's changes.
  void Reset();
  // One row change of the batch: `before` (null: none) replaced by `after`
  // (null: deleted), both decoded against the table's schema; `pk` is the
  // row's primary-key encoding. Postings go straight into `batch`.
  void Change(const std::vector<Value>* before, const std::vector<Value>* after,
              const std::string& pk, CacheBatch* batch);
  // Adds the batch's aggregate ops to `batch`, reading the stored state
  // from `kv` (the latest state: one writer). Values stay owned by this
  // object until the next Reset(). DATA_LOSS for a malformed stored entry.
  Status Flush(KvStore& kv, CacheBatch* batch);

 private:
  struct Agg {
    AggregateSpec spec;
    std::vector<uint32_t> tracked;
    std::vector<uint32_t> minmax_slots;  // slots of tracked fields some min/max measures
    std::map<std::string, GroupAcc> deltas;
  };

  // Deletes the postings of `before` that `after` lacks, puts the others.
  void Postings(const std::vector<Value>* before, const std::vector<Value>* after,
                const std::string& pk, CacheBatch* batch);

  const TableSchema& t_;
  std::vector<std::string> tokens_;
  std::vector<Agg> aggs_;
  std::map<std::string, int64_t> value_deltas_;  // full 0x04 keys
  std::deque<std::string> values_;               // values of the ops Flush added
  std::string key_;
};

}  // namespace sluice::host

#endif  // SLUICE_HOST_CACHE_DERIVED_STATE_H_
