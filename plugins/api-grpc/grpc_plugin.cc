#include "grpc_plugin.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "names.h"
#include "proto_gen.h"

namespace sluice::grpcapi {

namespace {

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("write " + path, errno);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return Status();
}

Status SyncDirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return IoError("open directory " + dir, errno);
  Status s;
  if (::fsync(fd) != 0) s = IoError("fsync directory " + dir, errno);
  ::close(fd);
  return s;
}

}  // namespace

Status WriteFileAtomically(const std::string& path, std::string_view contents) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return IoError("open " + tmp, errno);
  Status s = WriteAll(fd, contents, tmp);
  if (s.ok() && ::fsync(fd) != 0) s = IoError("fsync " + tmp, errno);
  if (::close(fd) != 0 && s.ok()) s = IoError("close " + tmp, errno);
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0)
    s = IoError("rename " + tmp + " to " + path, errno);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return SyncDirectoryOf(path);
}

Status GrpcPlugin::Create(const HostServices& host, const Options& options, const ApiHost& api,
                          std::unique_ptr<GrpcPlugin>* out) {
  if (api.c() == nullptr) return InvalidArgument("grpc: no query service given to create()");
  GrpcOptions parsed;
  SLUICE_RETURN_IF_ERROR(ParseGrpcOptions(options, &parsed));
  out->reset(new GrpcPlugin(host, api, parsed));
  return Status();
}

GrpcPlugin::GrpcPlugin(const HostServices& host, const ApiHost& api, const GrpcOptions& options)
    : server_(std::make_unique<GrpcServer>(api, host, options)) {}

GrpcPlugin::~GrpcPlugin() { Stop(); }

Status GrpcPlugin::WriteArtifacts(const std::string& endpoint, const std::string& /*path*/,
                                  uint32_t version, const Schema& schema, const std::string& dir) {
  std::string what = "grpc: artifacts of " + endpoint + " v" + std::to_string(version);
  VersionFile file;
  SLUICE_RETURN_IF_ERROR(GenerateVersionFile(endpoint, version, schema, &file).WithContext(what));
  std::string set;
  SLUICE_RETURN_IF_ERROR(DescriptorSetOf(file.proto, &set).WithContext(what));
  std::string base = dir + "/" + endpoint;
  SLUICE_RETURN_IF_ERROR(WriteFileAtomically(base + ".proto", file.text).WithContext(what));
  return WriteFileAtomically(base + ".protoset", set).WithContext(what);
}

Status GrpcPlugin::Start(std::vector<std::string>* addresses) {
  std::string address;
  SLUICE_RETURN_IF_ERROR(server_->Start(&address));
  addresses->push_back(address);
  return Status();
}

void GrpcPlugin::Stop() { server_->Stop(); }

void GrpcPlugin::CatalogChanged() { server_->CatalogChanged(); }

}  // namespace sluice::grpcapi
