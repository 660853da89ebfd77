// An endpoint's `aggregates:` (declared aggregates the cache maintains,
// docs/aggregates.md) and `full_text:` (docs/full_text.md). The shapes are
// checked here; field names and types when a version is made from the
// source's schema (core/aggregate.h), with where each part was written.
#include "config/config_parser.h"

namespace sluice::host::config_internal {

void ConfigParser::ParseAggregates(const Entry& e, const std::string& path, EndpointConfig* out) {
  ForEachItem(e.value, e.mark, path,
              "a list like [{ group_by: [zone], measures: [count, sum(fare)] }]", &problems_,
              [&](const YAML::Node& item, const std::string& p) { ParseAggregate(item, p, out); });
}

void ConfigParser::ParseAggregate(const YAML::Node& node, const std::string& p,
                                  EndpointConfig* out) {
  std::vector<Entry> entries;
  if (!ReadMap(node, node.Mark(), p, "a map { group_by: [...], measures: [...] }",
               {"group_by", "measures"}, &problems_, &entries))
    return;
  RequireKeys(entries, node, p, {"measures"});
  AggregateDecl d;
  d.where = problems_.Where(node.Mark(), p);
  bool ok = true;
  for (const Entry& x : entries) {
    std::string xp = JoinPath(p, x.key);
    std::vector<std::string>* names = x.key == "group_by" ? &d.group_by : &d.measures;
    std::vector<std::string>* wheres = x.key == "group_by" ? &d.group_by_where : &d.measures_where;
    if (x.key == "group_by" && x.value.IsSequence() && x.value.size() == 0) continue;  // []
    if (!ReadFieldList(x.value, x.mark, xp, names)) {
      ok = false;
      continue;
    }
    if (x.value.IsScalar()) {
      wheres->push_back(problems_.Where(x.mark, xp));
      continue;
    }
    size_t j = 0;
    for (auto f = x.value.begin(); f != x.value.end(); ++f, ++j)
      wheres->push_back(problems_.Where(f->Mark(), IndexPath(xp, j)));
  }
  if (!ok) return;
  if (d.measures.size() > 64) problems_.Add(node.Mark(), p, "at most 64 measures per aggregate");
  else out->aggregates.push_back(std::move(d));
}

void ConfigParser::ParseFullText(const Entry& e, const std::string& path, EndpointConfig* out) {
  if (e.value.IsNull()) return;
  out->full_text_where = problems_.Where(e.mark, path);
  ReadFieldList(e.value, e.mark, path, &out->full_text);
}

}  // namespace sluice::host::config_internal
