// onEvent of the common and the typed services: the host's change stream
// (ApiHost::Watch) forwarded message by message.
#include <memory>

#include "handlers.h"
#include "record_codec.h"
#include "sluice/json.h"
#include "sluice/v1/common.pb.h"
#include "status_map.h"

namespace sluice::grpcapi {

namespace {

using google::protobuf::Message;

// How many changes pass between checks for a switch of the current version
// (heartbeats always check).
constexpr uint64_t kSwitchCheckEvery = 256;

uint32_t CurrentOf(const Snapshot& snap, const std::string& endpoint) {
  const EndpointInfo* e = snap.FindEndpoint(endpoint);
  return e == nullptr ? 0 : e->current_version;
}

}  // namespace

template <class Encode>
grpc::Status Handlers::Watch(const ApiHost::View& view, std::string_view filter,
                             bool follow_current, CallContext& call, Encode&& encode) {
  const std::string& name = view.endpoint().name;
  uint32_t version = view.version().version;
  // The catalog may lag behind the view at first: only a change of the
  // catalog's current version after the start counts as a switch.
  uint32_t start_current = CurrentOf(*catalog_->Get(), name);
  uint32_t now_current = start_current;
  uint64_t seen = 0;
  Status encode_error;
  auto switched = [&] {
    now_current = CurrentOf(*catalog_->Get(), name);
    return now_current != start_current && now_current != version;
  };
  bool live = false;
  Status s = call.request().api().Watch(
      view, filter, [&](uint32_t op, uint64_t offset, std::string_view row) {
        if (call.Done()) return false;
        if (!live) call.SendHeaders();  // the watch is registered: tell the client
        live = true;
        if (follow_current && (op == 0 || ++seen % kSwitchCheckEvery == 0) && switched())
          return false;
        if (op == 0) return true;
        std::string message;
        encode_error = encode(op, offset, row, &message);
        return encode_error.ok() && call.Send(std::move(message));
      });
  if (!encode_error.ok()) return ToGrpc(encode_error);
  if (call.Done()) return call.StopStatus();
  if (follow_current && now_current != start_current && now_current != version)
    return grpc::Status(grpc::StatusCode::ABORTED,
                        "the current version of " + name + " switched from v" +
                            std::to_string(version) + " to v" + std::to_string(now_current) +
                            "; subscribe again to follow it");
  if (!s.ok()) return ToGrpc(s.WithContext(name + " v" + std::to_string(version)));
  return call.StopStatus();
}

grpc::Status Handlers::CommonEvents(CallContext& call, const std::string& request) {
  v1::EventRequest req;
  grpc::Status g = ParseRequest(request, &req);
  if (!g.ok()) return g;
  ApiHost::View view;
  Status s = Pin(req.endpoint(), req.version(), call, &view);
  if (!s.ok()) return ToGrpc(s);
  const Schema& schema = view.schema();
  uint32_t version = view.version().version;
  return Watch(view, req.filter(), req.version() == 0, call,
               [&](uint32_t op, uint64_t offset, std::string_view row, std::string* out) {
                 v1::Event event;
                 event.set_op(static_cast<v1::Op>(op));
                 event.set_offset(offset);
                 event.set_version(version);
                 SLUICE_RETURN_IF_ERROR(AppendRecordJson(event.mutable_record(), schema, row));
                 return event.SerializeToString(out) ? Status()
                                                     : Internal("cannot serialize an event");
               });
}

grpc::Status Handlers::TypedEvents(const MethodTarget& m, CallContext& call,
                                   const std::string& request) {
  ApiHost::View view;
  std::shared_ptr<const Snapshot> snap;
  const TypedVersion* types = nullptr;
  Status s = Pin(m.endpoint, m.version, call, &view);
  if (s.ok()) s = TypesFor(view, &snap, &types);
  if (!s.ok()) return ToGrpc(s);
  std::unique_ptr<Message> req(snap->New(types->event_request));
  grpc::Status g = ParseRequest(request, req.get());
  if (!g.ok()) return g;
  std::string filter =
      req->GetReflection()->GetString(*req, types->event_request->FindFieldByNumber(1));
  const Schema& schema = view.schema();
  std::unique_ptr<Message> event(snap->New(types->event));
  const auto* op_field = types->event->FindFieldByNumber(1);
  const auto* offset_field = types->event->FindFieldByNumber(2);
  const auto* record_field = types->event->FindFieldByNumber(3);
  return Watch(view, filter, m.version == 0, call,
               [&](uint32_t op, uint64_t offset, std::string_view row, std::string* out) {
                 event->Clear();
                 const auto* r = event->GetReflection();
                 r->SetEnumValue(event.get(), op_field, static_cast<int>(op));
                 r->SetUInt64(event.get(), offset_field, offset);
                 SLUICE_RETURN_IF_ERROR(
                     RowToMessage(schema, row, r->MutableMessage(event.get(), record_field)));
                 return event->SerializeToString(out) ? Status()
                                                      : Internal("cannot serialize an event");
               });
}

}  // namespace sluice::grpcapi
