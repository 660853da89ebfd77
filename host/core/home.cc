#include "core/home.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "sluice/atomic_file.h"

namespace sluice::host {

std::string Home::VersionDirName(uint32_t version) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "v%04u", version);
  return buf;
}

bool Home::ParseVersionDirName(const std::string& name, uint32_t* version) {
  if (name.size() < 5 || name[0] != 'v') return false;
  uint64_t v = 0;
  for (size_t i = 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || v > 100000000) return false;
    v = v * 10 + static_cast<uint64_t>(name[i] - '0');
  }
  if (v == 0 || name != VersionDirName(static_cast<uint32_t>(v))) return false;
  *version = static_cast<uint32_t>(v);
  return true;
}

fs::path Home::ApiDir(const std::string& e, uint32_t v) const {
  return root_ / "api" / e / VersionDirName(v);
}
fs::path Home::PipelineDir(const std::string& e, uint32_t v) const {
  return root_ / "pipeline" / "logs" / e / VersionDirName(v);
}
fs::path Home::SchemaFile(const std::string& e, uint32_t v) const {
  return PipelineDir(e, v) / "schema.json";
}
fs::path Home::LogDir(const std::string& e, uint32_t v) const { return PipelineDir(e, v) / "log"; }
fs::path Home::CatalogDir(const std::string& e) const {
  return root_ / "pipeline" / "logs" / e / "versions";
}
fs::path Home::CacheDir(const std::string& e, uint32_t v) const {
  return root_ / "cache" / e / VersionDirName(v);
}
std::string Home::LogStreamName(const std::string& e, uint32_t v) {
  return e + "/" + VersionDirName(v);
}

std::vector<uint32_t> Home::ListVersions(const std::string& endpoint) const {
  std::vector<uint32_t> out;
  std::error_code ec;
  fs::path dir = root_ / "pipeline" / "logs" / endpoint;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    uint32_t v;
    if (entry.is_directory() && ParseVersionDirName(entry.path().filename().string(), &v) &&
        fs::exists(entry.path() / "schema.json"))
      out.push_back(v);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::string> Home::ListEndpoints() const {
  std::vector<std::string> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root_ / "pipeline" / "logs", ec))
    if (entry.is_directory()) out.push_back(entry.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

Status SyncDir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
  if (fd < 0) return IoError("open " + dir.string(), errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return IoError("fsync " + dir.string(), err);
  return Status();
}

Status WriteFileAtomic(const fs::path& file, const std::string& data) {
  return WriteFileAtomically(file.string(), data);
}

Status ProbeSpace(const fs::path& dir, size_t bytes) {
  std::string path = (dir / ".space-probe").string();
  Status s = internal::WriteAndSync(path, std::string(bytes, '\0'));
  ::unlink(path.c_str());
  return s;
}

Status ReadSmallFile(const fs::path& file, std::string* out) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return IoError("open " + file.string(), errno ? errno : ENOENT);
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return Status();
}

}  // namespace sluice::host
