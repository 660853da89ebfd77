// Request handlers of the gRPC plugin, independent of the transport: each
// takes a serialized request and answers through the host's query service
// (sluice/api_host.h), through the host request of the call
// (CallContext::request), so the host applies the client's permissions.
// Every endpoint call pins one version (a view) for its whole duration, so
// an answer never mixes versions; the version answering is reported through
// CallContext::SetVersion.
//
//   Handlers h(&catalog, 16 << 20);
//   std::string response;
//   grpc::Status s = h.Common(CommonMethod::kCount, call, request, &response);
#ifndef SLUICE_PLUGINS_API_GRPC_HANDLERS_H_
#define SLUICE_PLUGINS_API_GRPC_HANDLERS_H_

#include <google/protobuf/message.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "call_context.h"
#include "service_catalog.h"
#include "sluice/api_host.h"
#include "sluice/feed.h"
#include "sluice/function_ref.h"

namespace sluice::grpcapi {

enum class CommonMethod { kCount, kQuery, kGet, kGetEndpoints, kGetFields, kOnEvent, kAggregate };

// The common method at `path` ("/sluice.v1.Common/count"); false if none.
bool FindCommonMethod(std::string_view path, CommonMethod* out);

class Handlers {
 public:
  // `catalog` must outlive the handlers. Answers larger than
  // `max_message_bytes` fail with RESOURCE_EXHAUSTED.
  Handlers(ServiceCatalog* catalog, uint32_t max_message_bytes);
  Handlers(const Handlers&) = delete;
  Handlers& operator=(const Handlers&) = delete;

  // Unary methods of sluice.v1.Common (all but kOnEvent). Thread-safe.
  grpc::Status Common(CommonMethod method, CallContext& call, const std::string& request,
                      std::string* response);
  // Unary methods of a typed service (count, query, get). Thread-safe.
  grpc::Status Typed(const MethodTarget& method, CallContext& call, const std::string& request,
                     std::string* response);
  // onEvent of the common service and of a typed service: sends the
  // response headers once the subscription is live (at its first heartbeat
  // or change), then streams changes through call.Send until the call is done, the host stops, or
  // (for an unversioned request) the endpoint's current version switches (ABORTED).
  grpc::Status CommonEvents(CallContext& call, const std::string& request);
  grpc::Status TypedEvents(const MethodTarget& method, CallContext& call,
                           const std::string& request);

 private:
  // The types of the view's version, rebuilding the catalog once if the
  // snapshot predates that version.
  Status TypesFor(const ApiHost::View& view, std::shared_ptr<const Snapshot>* snap,
                  const TypedVersion** types);
  // Pins `version` of `endpoint` (0 = current) and reports it to `call`.
  Status Pin(std::string_view endpoint, uint32_t version, CallContext& call, ApiHost::View* view);

  grpc::Status Count(CallContext& call, const std::string& request, std::string* response);
  grpc::Status Query(CallContext& call, const std::string& request, std::string* response);
  grpc::Status Get(CallContext& call, const std::string& request, std::string* response);
  grpc::Status GetEndpoints(CallContext& call, std::string* response);
  grpc::Status GetFields(CallContext& call, const std::string& request, std::string* response);
  // aggregate_handler.cc
  grpc::Status Aggregate(CallContext& call, const std::string& request, std::string* response);

  // Runs `query` (blank = {}) on `view`, handing each record's row to
  // `add`, which appends it to the answer and sets *bytes to its encoded
  // size. Stops once the answer exceeds max_message_bytes_ (then
  // TooLarge) or the call is done (its stop status); else the query's or
  // add's first error.
  grpc::Status QueryRecords(CallContext& call, const ApiHost::View& view, std::string_view query,
                            QueryInfo* info,
                            FunctionRef<Status(std::string_view row, uint64_t* bytes)> add);

  // A typed unary call: its pinned version, that version's types and the
  // parsed request.
  struct TypedCall {
    ApiHost::View view;
    std::shared_ptr<const Snapshot> snap;
    const TypedVersion* types = nullptr;
    std::unique_ptr<google::protobuf::Message> request;
  };
  // Pins the method's version, finds its types and parses `request` as the
  // message type `types->*request_type`.
  grpc::Status BeginTyped(const MethodTarget& m, CallContext& call, const std::string& request,
                          const google::protobuf::Descriptor* TypedVersion::*request_type,
                          TypedCall* out);
  grpc::Status TypedCount(const MethodTarget& m, CallContext& call, const std::string& request,
                          std::string* response);
  grpc::Status TypedQuery(const MethodTarget& m, CallContext& call, const std::string& request,
                          std::string* response);
  grpc::Status TypedGet(const MethodTarget& m, CallContext& call, const std::string& request,
                        std::string* response);

  // Reads a change feed of `view` (the host's, sluice/feed.h) as `options`
  // say, sending encode(event, &message) for each change.
  // `follow_current` ends with ABORTED on a switch of the current version.
  template <class Encode>
  grpc::Status Watch(const ApiHost::View& view, const FeedOptions& options, bool follow_current,
                     CallContext& call, Encode&& encode);
  // The same through sluice_api_host.watch, on a host without change
  // feeds (ABI < 1.2): live changes only.
  template <class Encode>
  grpc::Status WatchOlder(const ApiHost::View& view, const FeedOptions& options,
                          bool follow_current, CallContext& call, Encode&& encode);

  ServiceCatalog* catalog_;
  uint32_t max_message_bytes_;
};

// Size of one repeated element on the wire, besides its bytes: tag + length.
inline constexpr uint64_t kElementOverhead = 6;

// The record of `view` whose primary key is `key` (text, docs/query.md
// "Keys"), its row handed to `encode` once. NOT_FOUND naming the endpoint,
// version and key when there is none; else the read's or encode's error.
Status GetRecord(CallContext& call, const ApiHost::View& view, const std::string& key,
                 FunctionRef<Status(std::string_view row)> encode);

// The fields the repeated string `field` of `request` selects, resolved
// against `schema` as REST's GET .../{pk}?select= resolves its names
// (sluice/field_lookup.h); a name of `proto_names` (a typed Record's field
// names, by schema field) stands for its column when no column has that
// name. Empty = every field. INVALID_ARGUMENT prefixed with the field's
// full name ("sluice.v1.GetRequest.select: unknown field 'x' ...").
Status RequestSelect(const Schema& schema, const std::vector<std::string>& proto_names,
                     const google::protobuf::Message& request,
                     const google::protobuf::FieldDescriptor* field, std::vector<uint32_t>* out);

// `name` as a column name: itself when `schema` has that column, else the
// column whose Record field name (`proto_names`) it is, else itself.
std::string ColumnName(const Schema& schema, const std::vector<std::string>& proto_names,
                       std::string name);

// INVALID_ARGUMENT naming `type` when `bytes` do not parse into *message.
grpc::Status ParseRequest(const std::string& bytes, google::protobuf::Message* message);

// "{}" for an empty or blank query text, else the text itself.
std::string_view QueryOrAll(std::string_view query);

// RESOURCE_EXHAUSTED: an answer would exceed max_message_bytes.
grpc::Status TooLarge(uint64_t size, uint32_t max_message_bytes);

}  // namespace sluice::grpcapi

#endif  // SLUICE_PLUGINS_API_GRPC_HANDLERS_H_
