// RunAggregate: from a declared aggregate's maintained groups (O(groups))
// or, ad hoc, from the rows the $filter matches.
#include <algorithm>
#include <map>
#include <memory>

#include "cache/derived_state.h"
#include "core/keycodec.h"
#include "query/aggregate_engine.h"
#include "query/query_filter.h"
#include "sluice/json.h"

namespace sluice::host {
namespace {

// One group being answered: its state plus min and max per tracked field
// (set for the tracked fields some min/max measure names).
struct GroupOut {
  std::vector<Value> key;  // group_by values (views `storage`)
  std::vector<std::string> storage;
  GroupAcc acc;
  std::vector<Literal> min, max;
};

Literal ToLiteral(const Value& v) {
  Literal l;
  l.null = v.null;
  l.i = v.i;
  l.f = v.f;
  l.s.assign(v.str);
  return l;
}

void AppendGroup(std::string* out, const Schema& s, const AggregateRequest& r,
                 const std::vector<uint32_t>& tracked, const GroupOut& g) {
  JsonWriter w(out);
  w.BeginObject();
  for (size_t i = 0; i < r.group_by.size(); ++i) {
    w.Key(s.fields[r.group_by[i]].name);
    std::string v;
    AppendJsonValue(&v, g.key[i]);
    w.Raw(v);
  }
  for (const Measure& m : r.measures) {
    w.Key(MeasureName(m, s));
    if (m.kind == MeasureKind::kCount) {
      w.Int(g.acc.count);
      continue;
    }
    size_t slot = std::find(tracked.begin(), tracked.end(), m.field) - tracked.begin();
    Type t = s.fields[m.field].type;
    std::string v;
    FieldAcc none;
    const FieldAcc& a = slot < g.acc.fields.size() ? g.acc.fields[slot] : none;
    if (m.kind == MeasureKind::kSum) AppendSumJson(&v, t, a);
    else if (m.kind == MeasureKind::kAvg) AppendAvgJson(&v, t, a);
    else {
      const std::vector<Literal>& side = m.kind == MeasureKind::kMin ? g.min : g.max;
      Literal l = slot < side.size() ? side[slot] : Literal();
      AppendJsonValue(&v, l.AsValue(t));
    }
    w.Raw(v);
  }
  w.EndObject();
}

// Decodes the group_by values at the front of `key` into g.key.
bool DecodeGroup(const Schema& s, const std::vector<uint32_t>& group_by, std::string_view key,
                 GroupOut* g) {
  size_t pos = 0;
  g->storage.assign(group_by.size(), std::string());
  g->key.assign(group_by.size(), Value());
  for (size_t i = 0; i < group_by.size(); ++i)
    if (!ReadKeyValue(s.fields[group_by[i]].type, key, &pos, &g->storage[i], &g->key[i]))
      return false;
  return pos == key.size();
}

bool FilterOnlyOn(const FilterNode& n, const std::vector<uint32_t>& fields) {
  if (n.kind == FilterNode::kPredicate)
    return std::find(fields.begin(), fields.end(), n.predicate.field) != fields.end();
  for (const FilterNode& c : n.children)
    if (!FilterOnlyOn(c, fields)) return false;
  return true;
}

// The first (or last) value of a group's value counts.
Status Edge(VersionCache& cache, const KvSnapshot* snap, const std::string& prefix, Type t,
            bool last, Literal* out) {
  std::unique_ptr<KvIterator> it;
  SLUICE_RETURN_IF_ERROR(
      cache.kv().NewIterator(snap, prefix, VersionCache::PrefixEnd(prefix), last, &it));
  bool exhausted = false;
  Status bad;
  *out = Literal();
  SLUICE_RETURN_IF_ERROR(it->Read(
      1,
      [&](std::string_view k, std::string_view) {
        std::string storage;
        Value v;
        size_t pos = prefix.size();
        if (!ReadKeyValue(t, k, &pos, &storage, &v)) bad = DataLoss("malformed value count entry");
        else *out = ToLiteral(v);
        return false;
      },
      &exhausted));
  return bad;
}

Status Maintained(VersionCache& cache, const AggregateRequest& r, int n, std::string* json,
                  QueryPlanInfo* info) {
  const TableSchema& t = cache.schema();
  const Schema& s = t.schema;
  const AggregateSpec& spec = t.aggregates[static_cast<size_t>(n)];
  std::vector<uint32_t> tracked = TrackedFields(spec.measures);
  std::unique_ptr<KvSnapshot> snap;
  SLUICE_RETURN_IF_ERROR(cache.kv().NewSnapshot(&snap));
  std::string prefix = DerivedState::AggregatePrefix(static_cast<uint32_t>(n));
  std::string lower = r.has_after ? VersionCache::PrefixEnd(prefix + r.after_key) : prefix;
  std::unique_ptr<KvIterator> it;
  SLUICE_RETURN_IF_ERROR(
      cache.kv().NewIterator(snap.get(), lower, VersionCache::PrefixEnd(prefix), false, &it));
  std::vector<Value> row(s.fields.size());
  for (size_t f = 0; f < s.fields.size(); ++f) row[f].type = s.fields[f].type;
  json->assign("[");
  uint32_t emitted = 0;
  uint64_t examined = 0;
  bool exhausted = false;
  Status st;
  std::vector<std::pair<std::string, std::string>> chunk;
  while (!exhausted && st.ok() && emitted < r.limit) {
    chunk.clear();
    SLUICE_RETURN_IF_ERROR(it->Read(
        256,
        [&](std::string_view k, std::string_view v) {
          chunk.emplace_back(std::string(k), std::string(v));
          return true;
        },
        &exhausted));
    for (size_t c = 0; c < chunk.size() && st.ok() && emitted < r.limit; ++c) {
      ++examined;
      GroupOut g;
      std::string_view group = std::string_view(chunk[c].first).substr(prefix.size());
      if (!DecodeGroup(s, r.group_by, group, &g) || !g.acc.Decode(s, tracked, chunk[c].second)) {
        st = DataLoss("cache aggregate entry is malformed");
        break;
      }
      for (size_t i = 0; i < r.group_by.size(); ++i) row[r.group_by[i]] = g.key[i];
      if (!MatchesFilter(r.query.filter, row)) continue;
      g.min.assign(tracked.size(), Literal());
      g.max.assign(tracked.size(), Literal());
      for (const Measure& m : r.measures) {
        if (m.kind != MeasureKind::kMin && m.kind != MeasureKind::kMax) continue;
        uint32_t slot = static_cast<uint32_t>(std::find(tracked.begin(), tracked.end(), m.field) -
                                              tracked.begin());
        std::string vp =
            DerivedState::ValuePrefix(static_cast<uint32_t>(n), slot) + std::string(group);
        bool last = m.kind == MeasureKind::kMax;
        st = Edge(cache, snap.get(), vp, s.fields[m.field].type, last,
                  last ? &g.max[slot] : &g.min[slot]);
        if (!st.ok()) break;
      }
      if (!st.ok()) break;
      if (emitted++ > 0) json->push_back(',');
      AppendGroup(json, s, r, tracked, g);
    }
  }
  json->push_back(']');
  if (info != nullptr) {
    std::string names;
    for (uint32_t f : r.group_by) names += (names.empty() ? "" : ", ") + s.fields[f].name;
    info->plan = "aggregate [" + names + "] maintained";
    if (!r.query.filter.children.empty() || r.query.filter.kind != FilterNode::kAnd)
      info->plan += " + filter";
    info->scan = false;
    info->examined = examined;
  }
  return st;
}

Status AdHoc(VersionCache& cache, const AggregateRequest& r, std::string* json,
             QueryPlanInfo* info) {
  const Schema& s = cache.schema().schema;
  std::vector<uint32_t> tracked = TrackedFields(r.measures);
  std::map<std::string, GroupOut> groups;
  std::string key;
  Status st = ScanMatching(
      cache, r.query,
      [&](const std::vector<Value>& row) {
        key.clear();
        AppendKeyFields(&key, row, r.group_by);
        if (r.has_after && key <= r.after_key) return;
        auto [it, fresh] = groups.try_emplace(key);
        GroupOut& g = it->second;
        if (fresh) {
          g.min.assign(tracked.size(), Literal());
          g.max.assign(tracked.size(), Literal());
          DecodeGroup(s, r.group_by, key, &g);
        }
        g.acc.Add(s, tracked, row, 1);
        for (size_t i = 0; i < tracked.size(); ++i) {
          const Value& v = row[tracked[i]];
          if (v.null) continue;
          Type t = s.fields[tracked[i]].type;
          if (g.min[i].null || CompareValues(v, g.min[i].AsValue(t)) < 0) g.min[i] = ToLiteral(v);
          if (g.max[i].null || CompareValues(v, g.max[i].AsValue(t)) > 0) g.max[i] = ToLiteral(v);
        }
      },
      info);
  if (info != nullptr) info->plan = "aggregate ad hoc: " + info->plan;
  if (!st.ok()) return st;
  json->assign("[");
  uint32_t emitted = 0;
  for (const auto& [k, g] : groups) {
    if (emitted == r.limit) break;
    if (emitted++ > 0) json->push_back(',');
    AppendGroup(json, s, r, tracked, g);
  }
  json->push_back(']');
  return Status();
}

}  // namespace

int MaintainedAggregateFor(const TableSchema& t, const AggregateRequest& r) {
  if (!FilterOnlyOn(r.query.filter, r.group_by)) return -1;
  for (size_t n = 0; n < t.aggregates.size(); ++n) {
    const AggregateSpec& spec = t.aggregates[n];
    if (spec.group_by != r.group_by) continue;
    bool all = true;
    for (const Measure& m : r.measures) {
      if (m.kind == MeasureKind::kCount) continue;
      bool found = false;
      for (const Measure& d : spec.measures) {
        if (d.kind == MeasureKind::kCount || d.field != m.field) continue;
        bool d_sum = d.kind == MeasureKind::kSum || d.kind == MeasureKind::kAvg;
        bool m_sum = m.kind == MeasureKind::kSum || m.kind == MeasureKind::kAvg;
        found = found || d_sum == m_sum;
      }
      all = all && found;
    }
    if (all) return static_cast<int>(n);
  }
  return -1;
}

Status RunAggregate(VersionCache& cache, const AggregateRequest& r, std::string* json,
                    QueryPlanInfo* info, bool allow_maintained) {
  int n = allow_maintained ? MaintainedAggregateFor(cache.schema(), r) : -1;
  if (n >= 0) return Maintained(cache, r, n, json, info);
  return AdHoc(cache, r, json, info);
}

}  // namespace sluice::host
