// sluice.v1.Common/aggregate: an aggregate request (docs/aggregates.md)
// answered by the host's engine, as REST's POST .../aggregate is.
#include "handlers.h"
#include "sluice/v1/common.pb.h"
#include "status_map.h"

namespace sluice::grpcapi {

grpc::Status Handlers::Aggregate(CallContext& call, const std::string& request,
                                 std::string* response) {
  v1::AggregateRequest req;
  grpc::Status g = ParseRequest(request, &req);
  if (!g.ok()) return g;
  ApiHost::View view;
  Status s = Pin(req.endpoint(), req.version(), call, &view);
  v1::AggregateResponse resp;
  QueryInfo info;
  if (s.ok())
    s = call.request().api().Aggregate(view, QueryOrAll(req.request()), resp.mutable_groups(),
                                       &info);
  if (!s.ok()) return ToGrpc(s);
  if (call.Done()) return call.StopStatus();
  if (resp.groups().size() > max_message_bytes_)
    return TooLarge(resp.groups().size(), max_message_bytes_);
  resp.set_version(view.version().version);
  resp.set_plan(info.plan);
  if (!resp.SerializeToString(response))
    return grpc::Status(grpc::StatusCode::INTERNAL, "cannot serialize AggregateResponse");
  return grpc::Status::OK;
}

}  // namespace sluice::grpcapi
