#include "migrate/prune.h"

#include <algorithm>

#include "migrate/source_state.h"
#include "util/human.h"
#include "util/log.h"

namespace sluice::host {
namespace {

uint64_t DirSize(const fs::path& p) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(p, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  return total;
}

}  // namespace

std::vector<uint32_t> PruneCandidates(const std::vector<uint32_t>& versions, uint32_t keep,
                                      uint32_t current, uint32_t pinned) {
  std::vector<uint32_t> out;
  if (versions.size() <= keep) return out;
  for (size_t i = 0; i + keep < versions.size(); ++i) {
    uint32_t v = versions[i];
    if (v != current && v != pinned) out.push_back(v);
  }
  return out;
}

Status DeleteVersion(Runtime& rt, const std::string& endpoint, uint32_t v, uint64_t* freed) {
  const Home& home = rt.home();
  fs::path pipe = home.PipelineDir(endpoint, v);
  *freed = DirSize(pipe) + DirSize(home.CacheDir(endpoint, v)) + DirSize(home.ApiDir(endpoint, v));
  // What the source keeps for the version (a replication slot) goes first:
  // if it cannot, the version stays, so that the release can be retried. A
  // host that only reads logs leaves that to the writer.
  if (!rt.log_reader()) SLUICE_RETURN_IF_ERROR(ReleaseVersionSource(rt, endpoint, v));
  // Recorded first, so that no host (this one included) writes the version
  // back from the catalog once its files start to go.
  VersionCatalog* catalog = nullptr;
  SLUICE_RETURN_IF_ERROR(rt.OpenCatalog(endpoint, /*create=*/true, &catalog));
  SLUICE_RETURN_IF_ERROR(catalog->PublishPruned(v));
  std::error_code ec;
  // schema.json first: from here on the version does not exist.
  fs::remove(home.SchemaFile(endpoint, v), ec);
  if (ec) return IoError("remove " + home.SchemaFile(endpoint, v).string(), ec.value());
  SLUICE_RETURN_IF_ERROR(SyncDir(pipe));
  // A host that only reads the log leaves it to the writer, which may share
  // it with other hosts (its local files, if any, go with the directory).
  if (!rt.log_reader())
    SLUICE_RETURN_IF_ERROR(rt.log_storage().RemoveLog(Home::LogStreamName(endpoint, v),
                                                      home.LogDir(endpoint, v).string()));
  SLUICE_RETURN_IF_ERROR(rt.cache_storage().RemoveKv(home.CacheDir(endpoint, v).string()));
  for (const fs::path& p : {pipe, home.CacheDir(endpoint, v), home.ApiDir(endpoint, v)}) {
    fs::remove_all(p, ec);
    if (ec) return IoError("remove " + p.string(), ec.value());
  }
  log::Info("prune", "version deleted",
            {{"endpoint", endpoint},
             {"version", std::to_string(v)},
             {"freed", HumanBytes(static_cast<double>(*freed))}});
  return Status();
}

std::string PruneLine(const std::string& endpoint, uint32_t version, uint64_t freed) {
  return endpoint + ": pruned v" + std::to_string(version) + " (" +
         HumanBytes(static_cast<double>(freed)) + " freed)";
}

}  // namespace sluice::host
