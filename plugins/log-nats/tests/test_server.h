// Test helpers: a nats-server process with JetStream on 127.0.0.1 (random
// free port, temporary store directory), and the 3-node cluster of
// tests/nats/cluster.py driven from C++.
#ifndef SLUICE_PLUGINS_LOG_NATS_TESTS_TEST_SERVER_H_
#define SLUICE_PLUGINS_LOG_NATS_TESTS_TEST_SERVER_H_

#include <sys/types.h>

#include <string>
#include <vector>

namespace sluice::log_nats::testing {

// Path of nats-server (PATH, then /usr/sbin), or "" when not installed.
std::string FindNatsServer();
// A fresh temporary directory.
std::string MakeTempDir(const std::string& prefix);

// One single-node JetStream server, killed when destroyed.
class NatsServer {
 public:
  NatsServer() = default;
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;
  ~NatsServer();
  // Starts it and waits until it accepts connections. False (with *error)
  // on failure.
  bool Start(std::string* error);
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }

 private:
  pid_t pid_ = 0;
  int port_ = 0;
  std::string dir_;
};

// tests/nats/cluster.py: a 3-node cluster under a temporary directory.
class Cluster {
 public:
  Cluster() = default;
  Cluster(const Cluster&) = delete;
  Cluster& operator=(const Cluster&) = delete;
  ~Cluster();
  bool Up(std::string* error);
  bool StopNode(int i);
  bool StartNode(int i);
  bool Wait();
  const std::string& urls() const { return urls_; }
  // The client URL of node i.
  std::string url(int i) const;

 private:
  bool Run(const std::string& args, std::string* out = nullptr);
  std::string dir_;
  std::string urls_;
};

}  // namespace sluice::log_nats::testing

#endif  // SLUICE_PLUGINS_LOG_NATS_TESTS_TEST_SERVER_H_
