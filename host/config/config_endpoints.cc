// The `endpoints:` section: each endpoint, its index and version, and the
// checks across endpoints (unique names and paths, known connections).
#include <algorithm>
#include <cstdlib>

#include "config/config_parser.h"

namespace sluice::host::config_internal {
namespace {

const std::vector<std::string_view> kEndpointKeys = {
    "name",    "path",         "connection", "table",      "options",  "index",
    "version", "on_duplicate", "access",     "aggregates", "full_text"};

}  // namespace

void ConfigParser::ParseEndpoints(const Entry& e) {
  std::vector<EndpointMarks> marks;
  bool listed = ForEachItem(e.value, e.mark, "endpoints",
                            "a list of endpoints (- name: ..., connection: ..., index: ...)",
                            &problems_, [&](const YAML::Node& item, const std::string& path) {
                              EndpointConfig ep;
                              EndpointMarks m;
                              if (!ParseEndpoint(item, path, &ep, &m)) return;
                              cfg_->endpoints.push_back(std::move(ep));
                              marks.push_back(m);
                            });
  if (listed) CheckEndpoints(marks);
}

bool ConfigParser::ParseEndpoint(const YAML::Node& node, const std::string& path,
                                 EndpointConfig* out, EndpointMarks* marks) {
  size_t before = problems_.count();
  std::vector<Entry> entries;
  if (!ReadMap(node, node.Mark(), path, "a map with name, connection and index", kEndpointKeys,
               &problems_, &entries))
    return false;
  RequireKeys(entries, node, path, {"name", "connection"});
  *marks = EndpointMarks{node.Mark(), node.Mark(), node.Mark()};
  for (const Entry& x : entries) {
    std::string p = JoinPath(path, x.key);
    if (x.key == "name" && ReadName(x, p, &out->name)) marks->name = x.mark;
    if (x.key == "connection" && ReadName(x, p, &out->connection)) marks->connection = x.mark;
    if (x.key == "table") ReadScalar(x, p, "a table name", &problems_, &out->table);
    if (x.key == "options") ReadOptions(x, p, false, &out->options, &out->options_site);
    if (x.key == "index") ParseIndex(x, p, out);
    if (x.key == "version") ParseVersion(x, p, &out->version);
    if (x.key == "on_duplicate") ParseOnDuplicate(x, p, &out->on_duplicate);
    if (x.key == "access") ParseAccess(x, p, out);
    if (x.key == "aggregates") ParseAggregates(x, p, out);
    if (x.key == "full_text") ParseFullText(x, p, out);
    if (x.key == "path" && ReadScalar(x, p, "a URL path such as /trips", &problems_, &out->path)) {
      marks->path = x.mark;
      std::string why = EndpointPathProblem(out->path);
      if (!why.empty()) problems_.Add(x.mark, p, why);
    }
  }
  if (out->path.empty() && !out->name.empty()) {
    out->path = "/" + out->name;
    std::string why = EndpointPathProblem(out->path);
    if (!why.empty())
      problems_.Add(marks->name, JoinPath(path, "name"),
                    "the default path \"" + out->path + "\" cannot be used (" + why +
                        "); set path: to another one");
  }
  if (out->table.empty()) out->table = out->name;
  return problems_.count() == before;
}

void ConfigParser::ParseIndex(const Entry& e, const std::string& path, EndpointConfig* out) {
  std::vector<Entry> entries;
  if (!ReadMap(e.value, e.mark, path,
               "a map like { primary_key: [id], secondary: [[field], ...], covering: false }",
               {"primary_key", "secondary", "covering"}, &problems_, &entries))
    return;
  if (const Entry* cov = FindEntry(entries, "covering"))
    ReadBool(*cov, JoinPath(path, "covering"), &problems_, &out->covering);
  // Without a primary key the endpoint is keyed by each row's log position.
  if (const Entry* pk = FindEntry(entries, "primary_key"))
    ReadFieldList(pk->value, pk->mark, JoinPath(path, "primary_key"), &out->primary_key);
  const Entry* sec = FindEntry(entries, "secondary");
  if (sec == nullptr || sec->value.IsNull()) return;
  std::string sec_path = JoinPath(path, "secondary");
  ForEachItem(sec->value, sec->mark, sec_path, "a list of indexes, each a list of field names",
              &problems_, [&](const YAML::Node& item, const std::string& p) {
                std::vector<std::string> fields;
                if (!ReadFieldList(item, item.Mark(), p, &fields)) return;
                auto same = std::find(out->secondary.begin(), out->secondary.end(), fields);
                if (same != out->secondary.end())
                  problems_.Add(item.Mark(), p,
                                "duplicate index: same fields as " +
                                    IndexPath(sec_path, same - out->secondary.begin()));
                else out->secondary.push_back(std::move(fields));
              });
}

bool ConfigParser::ReadFieldList(const YAML::Node& node, const YAML::Mark& at,
                                 const std::string& path, std::vector<std::string>* out) {
  if (node.IsScalar() && !node.Scalar().empty()) {  // one field: `primary_key: id`
    out->push_back(node.Scalar());
    return true;
  }
  if (!node.IsSequence() || node.size() == 0) {
    problems_.Add(at, path,
                  "expected a list of field names, found " +
                      (node.IsSequence() ? std::string("an empty list") : Describe(node)));
    return false;
  }
  bool ok = true;
  size_t i = 0;
  for (auto it = node.begin(); it != node.end(); ++it, ++i) {
    std::string field = it->IsScalar() ? it->Scalar() : std::string();
    if (field.empty()) {
      problems_.Add(it->Mark(), IndexPath(path, i),
                    "expected a field name, found " + Describe(*it));
      ok = false;
    } else if (std::find(out->begin(), out->end(), field) != out->end()) {
      problems_.Add(it->Mark(), IndexPath(path, i), "field \"" + field + "\" is listed twice");
      ok = false;
    } else {
      out->push_back(field);
    }
  }
  return ok;
}

void ConfigParser::ParseVersion(const Entry& e, const std::string& path, uint32_t* out) {
  std::string text = e.value.IsScalar() ? e.value.Scalar() : std::string();
  if (text == "latest") return void(*out = 0);
  bool digits = !text.empty() && text.size() <= 9 &&
                std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
  uint32_t v = digits ? static_cast<uint32_t>(std::strtoul(text.c_str(), nullptr, 10)) : 0;
  if (v >= 1) return void(*out = v);
  problems_.Add(e.mark, path,
                "expected \"latest\" or a version number (1, 2, ...), found " + Describe(e.value));
}

void ConfigParser::ParseOnDuplicate(const Entry& e, const std::string& path, OnDuplicate* out) {
  std::string text = e.value.IsScalar() ? e.value.Scalar() : std::string();
  if (text == "last") return void(*out = OnDuplicate::kLast);
  if (text == "first") return void(*out = OnDuplicate::kFirst);
  if (text == "error") return void(*out = OnDuplicate::kError);
  problems_.Add(e.mark, path, "expected last, first or error, found " + Describe(e.value));
}

void ConfigParser::CheckEndpoints(const std::vector<EndpointMarks>& marks) {
  std::vector<std::string_view> connections;
  for (const ConnectionConfig& c : cfg_->connections) connections.push_back(c.name);
  const std::vector<EndpointConfig>& eps = cfg_->endpoints;
  for (size_t i = 0; i < eps.size(); ++i) {
    std::string path = IndexPath("endpoints", i);
    for (size_t j = 0; j < i; ++j) {
      if (eps[j].name == eps[i].name)
        problems_.Add(marks[i].name, path + ".name",
                      "duplicate endpoint name \"" + eps[i].name + "\" (also used by " +
                          IndexPath("endpoints", j) + "); endpoint names must be unique");
      else if (eps[j].path == eps[i].path)
        problems_.Add(marks[i].path, path + ".path",
                      "duplicate endpoint path \"" + eps[i].path + "\" (also used by endpoint \"" +
                          eps[j].name + "\"); give one of them another path");
    }
    if (std::find(connections.begin(), connections.end(), eps[i].connection) != connections.end())
      continue;
    std::string defined = connections.empty() ? "none is defined (add a connections: section)"
                                              : "defined: " + JoinNames(connections);
    problems_.Add(marks[i].connection, path + ".connection",
                  "unknown connection \"" + eps[i].connection + "\"" +
                      DidYouMean(eps[i].connection, connections) + "; " + defined);
  }
}

}  // namespace sluice::host::config_internal
