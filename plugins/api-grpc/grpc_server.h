// The gRPC server of the plugin: listens (in plain text or TLS), opens a
// host request for every call with the credential its metadata carries,
// routes the call by its method path (the common service, the typed
// services of the current catalog snapshot, server reflection, health)
// through one generic callback service, runs unary handlers on a worker
// pool and each stream (onEvent, health Watch) on a thread of its own, and
// keeps the health statuses in step with the catalog.
//
//   GrpcServer server(api, host, options);
//   std::string address;
//   Status s = server.Start(&address);   // "grpc://127.0.0.1:50051"
//   ...
//   server.Stop();
#ifndef SLUICE_PLUGINS_API_GRPC_GRPC_SERVER_H_
#define SLUICE_PLUGINS_API_GRPC_GRPC_SERVER_H_

#include <grpcpp/server.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "generic_call.h"
#include "grpc_options.h"
#include "handlers.h"
#include "health.h"
#include "service_catalog.h"
#include "worker_pool.h"

namespace sluice::grpcapi {

class GrpcServer : private Router {
 public:
  // `api` must outlive the server.
  GrpcServer(const ApiHost& api, const HostServices& host, const GrpcOptions& options);
  // Stop().
  ~GrpcServer() override;
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Listens on options.host:port and serves; *address gets
  // "grpc://HOST:PORT" with the bound port. UNAVAILABLE when the address
  // cannot be bound; FAILED_PRECONDITION when already started.
  Status Start(std::string* address);
  // Cancels calls in flight (streams end, queries stop at their next batch),
  // waits for them, and stops. Idempotent.
  void Stop();
  // Rebuilds the typed services from the host's catalog and updates health.
  void CatalogChanged();

  ServiceCatalog& catalog() { return catalog_; }

 private:
  class Generic;

  // Router.
  void OnRead(GenericCall* call, bool ok, std::string message) override;
  void OnCallDone() override {}
  bool Stopping() const override { return stopping_.load(); }

  Status Listen(std::string* address);
  // Opens the host request of `call` with the credential it carries.
  void BeginRequest(GenericCall* call);
  // Whether the client of `call` may learn about `service` (health).
  grpc::Status Visible(const GenericCall& call, const std::string& service);
  void RouteFirst(GenericCall* call, std::string message);
  void RunUnary(GenericCall* call, std::function<grpc::Status(std::string*)> handler);
  void RunStream(GenericCall* call, std::function<grpc::Status()> handler);
  // Reads the host's catalog and sets every service's health from it. Calls
  // are serialized so that a slower, older read never overwrites a newer one.
  void UpdateHealth();

  ApiHost api_;
  HostServices log_;
  GrpcOptions options_;
  ServiceCatalog catalog_;
  Handlers handlers_;
  HealthService health_service_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<Generic> generic_;
  std::atomic<bool> stopping_{false};
  std::mutex health_mu_;  // one UpdateHealth at a time

  std::mutex mu_;  // guards what follows
  std::condition_variable streams_cv_;
  int streams_ = 0;  // stream threads running
  std::unique_ptr<grpc::Server> server_;
};

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_GRPC_SERVER_H_
