#include "migrate/source_state.h"

#include <cstdio>
#include <map>

#include "util/log.h"

namespace sluice::host {
namespace {

// The source a version reads and the options its endpoint gives it.
struct VersionSource {
  SourcePlugin* source = nullptr;
  std::string table;
  Options options;
};

// *out->source stays null when the version's connection is not configured.
Status FindVersionSource(Runtime& rt, const std::string& endpoint, uint32_t v, VersionSource* out) {
  VersionMeta meta;
  SLUICE_RETURN_IF_ERROR(ReadVersionMeta(rt.home().SchemaFile(endpoint, v).string(), &meta));
  EndpointConfig ep;
  if (const EndpointConfig* configured = rt.FindEndpoint(endpoint)) {
    ep = *configured;
    if (ep.connection != meta.connection) ep.options = Options();  // options of another source
  }
  ep.name = endpoint;
  ep.connection = meta.connection;
  bool known = false;
  for (const ConnectionConfig& c : rt.config().connections)
    known = known || c.name == ep.connection;
  if (!known) return Status();
  std::string plugin;
  SLUICE_RETURN_IF_ERROR(rt.SourceFor(ep, &out->source, &plugin));
  out->table = meta.table;
  out->options = ep.options;
  return Status();
}

}  // namespace

Status ReleaseVersionSource(Runtime& rt, const std::string& endpoint, uint32_t v) {
  VersionSource vs;
  Status s = FindVersionSource(rt, endpoint, v, &vs);
  if (s.ok() && vs.source == nullptr) {
    log::Warn("prune",
              "the version's source connection is not in the config: whatever it keeps for the "
              "version (e.g. a replication slot) is not released",
              {{"endpoint", endpoint}, {"version", std::to_string(v)}});
    return Status();
  }
  SLUICE_RETURN_IF_ERROR(s);
  std::string offset;
  std::unique_ptr<VersionLog> log;
  if (VersionLog::Open(rt.log_storage(), Home::LogStreamName(endpoint, v),
                       rt.home().LogDir(endpoint, v), false, &log, TailPolicy::kIgnore)
          .ok())
    offset = log->checkpoint().source_offset;
  return vs.source->Release(ReaderScope{endpoint, v}, vs.table, vs.options, offset)
      .WithContext(endpoint + " v" + std::to_string(v));
}

Status VersionSourceStats(Runtime& rt, const std::string& endpoint, uint32_t v, SourceStats* out) {
  out->clear();
  VersionSource vs;
  SLUICE_RETURN_IF_ERROR(FindVersionSource(rt, endpoint, v, &vs));
  if (vs.source == nullptr) return Status();
  Status s = vs.source->Stats(ReaderScope{endpoint, v}, vs.table, vs.options, out);
  return s.code() == Code::kUnimplemented ? Status() : s;
}

std::string SourceMetricsText(Runtime& rt) {
  if (rt.log_reader()) return "";
  std::map<std::string, std::string> families;  // name -> samples
  for (const EndpointConfig& ep : rt.config().endpoints) {
    for (uint32_t v : rt.home().ListVersions(ep.name)) {
      SourceStats stats;
      Status s = VersionSourceStats(rt, ep.name, v, &stats);
      if (!s.ok()) {
        log::Debug("metrics", "source statistics unavailable",
                   {{"endpoint", ep.name}, {"version", std::to_string(v)}, {"error", s.message()}});
        continue;
      }
      for (const auto& [name, value] : stats) {
        char num[32];
        std::snprintf(num, sizeof num, "%.17g", value);
        families[name] += "sluice_source_" + name + "{endpoint=\"" + ep.name + "\",version=\"" +
                          std::to_string(v) + "\"} " + num + "\n";
      }
    }
  }
  std::string out;
  for (const auto& [name, samples] : families)
    out += "# HELP sluice_source_" + name + " Reported by the endpoint version's source plugin" +
           (name == "lag_bytes" ? " (bytes of input its server retains for the version)" : "") +
           ".\n# TYPE sluice_source_" + name + " gauge\n" + samples;
  return out;
}

std::vector<std::string> RemovedEndpoints(const Runtime& rt) {
  std::vector<std::string> out;
  for (const std::string& name : rt.home().ListEndpoints())
    if (rt.FindEndpoint(name) == nullptr && !rt.home().ListVersions(name).empty())
      out.push_back(name);
  return out;
}

}  // namespace sluice::host
