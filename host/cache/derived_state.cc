#include "cache/derived_state.h"

#include <unordered_map>

#include "core/keycodec.h"
#include "core/text_tokens.h"

namespace sluice::host {

std::string DerivedState::AggregatePrefix(uint32_t agg) {
  std::string p(1, '\x03');
  p.push_back(static_cast<char>(agg));
  return p;
}

std::string DerivedState::ValuePrefix(uint32_t agg, uint32_t slot) {
  std::string p(1, '\x04');
  p.push_back(static_cast<char>(agg));
  p.push_back(static_cast<char>(slot));
  return p;
}

std::string DerivedState::PostingPrefix(uint32_t field) {
  std::string p(1, '\x05');
  p.push_back(static_cast<char>(field >> 8));
  p.push_back(static_cast<char>(field));
  return p;
}

DerivedState::DerivedState(const TableSchema& t) : t_(t) {
  for (const AggregateSpec& spec : t.aggregates) {
    Agg a;
    a.spec = spec;
    a.tracked = TrackedFields(spec.measures);
    for (uint32_t slot = 0; slot < a.tracked.size(); ++slot)
      for (const Measure& m : spec.measures)
        if ((m.kind == MeasureKind::kMin || m.kind == MeasureKind::kMax) &&
            m.field == a.tracked[slot]) {
          a.minmax_slots.push_back(slot);
          break;
        }
    aggs_.push_back(std::move(a));
  }
}

void DerivedState::Reset() {
  for (Agg& a : aggs_) a.deltas.clear();
  value_deltas_.clear();
  values_.clear();
}

void DerivedState::Change(const std::vector<Value>* before, const std::vector<Value>* after,
                          const std::string& pk, CacheBatch* batch) {
  if (!t_.full_text.empty()) Postings(before, after, pk, batch);
  for (size_t n = 0; n < aggs_.size(); ++n) {
    Agg& a = aggs_[n];
    for (int side = 0; side < 2; ++side) {
      const std::vector<Value>* row = side == 0 ? before : after;
      if (row == nullptr) continue;
      int sign = side == 0 ? -1 : 1;
      key_.clear();
      AppendKeyFields(&key_, *row, a.spec.group_by);
      a.deltas[key_].Add(t_.schema, a.tracked, *row, sign);
      for (uint32_t slot : a.minmax_slots) {
        const Value& v = (*row)[a.tracked[slot]];
        if (v.null) continue;
        std::string k = ValuePrefix(static_cast<uint32_t>(n), slot) + key_;
        AppendKeyValue(&k, v);
        value_deltas_[k] += sign;
      }
    }
  }
}

void DerivedState::Postings(const std::vector<Value>* before, const std::vector<Value>* after,
                            const std::string& pk, CacheBatch* batch) {
  for (uint32_t f : t_.full_text) {
    std::unordered_map<std::string, uint64_t> old_counts, new_counts;
    for (int side = 0; side < 2; ++side) {
      const std::vector<Value>* row = side == 0 ? before : after;
      if (row == nullptr || (*row)[f].null) continue;
      tokens_.clear();
      Tokenize((*row)[f].str, &tokens_);
      for (std::string& w : tokens_) ++(side == 0 ? old_counts : new_counts)[std::move(w)];
    }
    std::string prefix = PostingPrefix(f);
    auto key = [&](const std::string& token) {
      std::string* k = batch->BeginKey();
      k->append(prefix);
      k->append(token);
      k->push_back('\0');
      k->append(pk);
    };
    for (const auto& [token, n] : old_counts) {
      if (new_counts.count(token) != 0) continue;
      key(token);
      batch->EndDelete();
    }
    for (const auto& [token, n] : new_counts) {
      auto was = old_counts.find(token);
      if (was != old_counts.end() && was->second == n) continue;  // unchanged
      key(token);
      values_.emplace_back();
      PutVarint(&values_.back(), n);
      batch->EndPut(values_.back());
    }
  }
}

Status DerivedState::Flush(KvStore& kv, CacheBatch* batch) {
  std::string stored;
  for (size_t n = 0; n < aggs_.size(); ++n) {
    Agg& a = aggs_[n];
    std::string prefix = AggregatePrefix(static_cast<uint32_t>(n));
    for (auto& [group, delta] : a.deltas) {
      std::string key = prefix + group;
      GroupAcc g;
      Status s = kv.Get(nullptr, key, &stored);
      if (s.ok()) {
        if (!g.Decode(t_.schema, a.tracked, stored))
          return DataLoss("cache aggregate entry is malformed (aggregate " + std::to_string(n) +
                          ")");
      } else if (s.code() != Code::kNotFound) {
        return s;
      }
      g.Merge(delta, t_.schema, a.tracked);
      batch->BeginKey()->append(key);
      if (g.count <= 0) {
        batch->EndDelete();
        continue;
      }
      values_.emplace_back();
      g.Encode(t_.schema, a.tracked, &values_.back());
      batch->EndPut(values_.back());
    }
  }
  for (const auto& [key, delta] : value_deltas_) {
    if (delta == 0) continue;
    uint64_t count = 0;
    Status s = kv.Get(nullptr, key, &stored);
    if (s.ok()) {
      const uint8_t* p = reinterpret_cast<const uint8_t*>(stored.data());
      if (!GetVarint(&p, p + stored.size(), &count))
        return DataLoss("cache value count entry is malformed");
    } else if (s.code() != Code::kNotFound) {
      return s;
    }
    int64_t now = static_cast<int64_t>(count) + delta;
    batch->BeginKey()->append(key);
    if (now <= 0) {
      batch->EndDelete();
      continue;
    }
    values_.emplace_back();
    PutVarint(&values_.back(), static_cast<uint64_t>(now));
    batch->EndPut(values_.back());
  }
  return Status();
}

}  // namespace sluice::host
