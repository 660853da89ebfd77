#include "test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <system_error>
#include <thread>

namespace sluice::log_nats::testing {
namespace {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(addr);
  int port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

bool Accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  bool ok = connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

}  // namespace

std::string FindNatsServer() {
  const char* path = getenv("PATH");
  std::string dirs = std::string(path ? path : "") + ":/usr/sbin:/usr/local/sbin";
  for (size_t at = 0; at <= dirs.size();) {
    size_t colon = dirs.find(':', at);
    if (colon == std::string::npos) colon = dirs.size();
    std::string candidate = dirs.substr(at, colon - at) + "/nats-server";
    if (colon > at && access(candidate.c_str(), X_OK) == 0) return candidate;
    at = colon + 1;
  }
  return "";
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = (std::filesystem::temp_directory_path() / (prefix + "-XXXXXX")).string();
  return mkdtemp(tmpl.data()) ? tmpl : "";
}

NatsServer::~NatsServer() {
  if (pid_ > 0) {
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ec;
  if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
}

bool NatsServer::Start(std::string* error) {
  std::string bin = FindNatsServer();
  if (bin.empty()) {
    *error = "nats-server is not installed";
    return false;
  }
  dir_ = MakeTempDir("sluice-nats");
  port_ = FreePort();
  std::string port = std::to_string(port_), store = dir_ + "/store", log = dir_ + "/server.log";
  pid_ = fork();
  if (pid_ == 0) {
    execl(bin.c_str(), bin.c_str(), "-js", "-a", "127.0.0.1", "-p", port.c_str(), "-sd",
          store.c_str(), "-l", log.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int i = 0; i < 200; ++i) {
    if (Accepts(port_)) return true;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = 0;
      *error = "nats-server exited at start; see " + log;
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  *error = "nats-server did not accept connections on port " + port;
  return false;
}

Cluster::~Cluster() {
  if (!dir_.empty()) {
    Run("down " + dir_ + "/c");
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

bool Cluster::Run(const std::string& args, std::string* out) {
  std::string cmd = std::string("/usr/bin/python3 ") + SLUICE_NATS_CLUSTER_PY + " " + args;
  FILE* p = popen(cmd.c_str(), "r");
  if (p == nullptr) return false;
  char buf[512];
  std::string text;
  while (fgets(buf, sizeof(buf), p) != nullptr) text += buf;
  int rc = pclose(p);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (out != nullptr) *out = text;
  return rc == 0;
}

bool Cluster::Up(std::string* error) {
  if (FindNatsServer().empty()) {
    *error = "nats-server is not installed";
    return false;
  }
  dir_ = MakeTempDir("sluice-nats-cluster");
  if (!Run("up " + dir_ + "/c", &urls_)) {
    *error = "cluster.py up failed: " + urls_;
    return false;
  }
  return true;
}

bool Cluster::StopNode(int i) { return Run("stop-node " + dir_ + "/c " + std::to_string(i)); }
bool Cluster::StartNode(int i) { return Run("start-node " + dir_ + "/c " + std::to_string(i)); }
bool Cluster::Wait() { return Run("wait " + dir_ + "/c"); }

std::string Cluster::url(int i) const {
  size_t at = 0;
  for (int k = 0; k < i && at != std::string::npos; ++k) at = urls_.find(',', at) + 1;
  return urls_.substr(at, urls_.find(',', at) - at);
}

}  // namespace sluice::log_nats::testing
