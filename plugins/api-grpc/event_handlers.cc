// onEvent of the common and the typed services: a change feed of the host
// (sluice/feed.h, docs/realtime.md) forwarded message by message, with the
// same start, resume and filter semantics as REST's server-sent events.
#include <charconv>
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

// Where a request's feed starts: `after` (set) resumes after that offset;
// else `from` is "now" (or empty), "start" or an offset to start at.
Status FeedStart(bool has_after, uint64_t after, const std::string& from, FeedOptions* o) {
  if (has_after) {
    o->from = SLUICE_FEED_FROM_AFTER;
    o->after = after;
    return Status();
  }
  uint64_t n = 0;
  const char* end = from.data() + from.size();
  bool number = !from.empty() && std::from_chars(from.data(), end, n).ptr == end;
  if (from.empty() || from == "now") o->from = SLUICE_FEED_FROM_NOW;
  else if (from == "start" || (number && n == 0)) o->from = SLUICE_FEED_FROM_START;
  else if (number) o->from = SLUICE_FEED_FROM_AFTER, o->after = n - 1;
  else return InvalidArgument("from: expected now, start or a log offset, found '" + from + "'");
  return Status();
}

// How a watch of `name` v`version` ends once its feed returned `s`: the
// call's own end when the client left or the server stops; ABORTED when
// `switched` (the endpoint's current version moved to `switched_to` while
// the watch followed it), so the client subscribes again; else the feed's
// error, or OK.
grpc::Status WatchEnd(CallContext& call, const Status& s, const std::string& name, uint32_t version,
                      bool switched, uint32_t switched_to) {
  if (call.Done()) return call.StopStatus();
  if (switched)
    return grpc::Status(grpc::StatusCode::ABORTED,
                        "the current version of " + name + " switched from v" +
                            std::to_string(version) + " to v" + std::to_string(switched_to) +
                            "; subscribe again to follow it");
  if (!s.ok()) return ToGrpc(s.WithContext(name + " v" + std::to_string(version)));
  return call.StopStatus();
}

}  // namespace

template <class Encode>
grpc::Status Handlers::Watch(const ApiHost::View& view, const FeedOptions& options,
                             bool follow_current, CallContext& call, Encode&& encode) {
  const std::string& name = view.endpoint().name;
  uint32_t version = view.version().version;
  // The catalog may lag behind the view at first: only a change of the
  // catalog's current version after the start counts as a switch.
  uint32_t start_current = CurrentOf(*catalog_->Get(), name);
  uint32_t now_current = start_current;
  auto switched = [&] {
    now_current = CurrentOf(*catalog_->Get(), name);
    return now_current != start_current && now_current != version;
  };
  if (!ChangeFeedReader::Offered(call.request().api()))
    return WatchOlder(view, options, follow_current, call, encode);
  ChangeFeedReader feed;
  Status s = ChangeFeedReader::Open(call.request().api(), view, options, &feed);
  if (!s.ok()) return ToGrpc(s.WithContext(name + " v" + std::to_string(version)));
  call.SendHeaders();  // the feed is open: tell the client
  Status encode_error;
  uint64_t seen = 0;
  bool gone = false;
  while (!call.Done()) {
    size_t handed = 0;
    // Waits at most 500 ms, so that a client that left or a switch is noticed.
    s = feed.Next(256, 500, [&](const sluice_feed_event& e) {
      ++handed;
      std::string message;
      encode_error = encode(e, &message);
      gone = encode_error.ok() && !call.Send(std::move(message));
      return encode_error.ok() && !gone;
    });
    if (!encode_error.ok()) return ToGrpc(encode_error);
    if (!s.ok() || gone) break;
    seen += handed;
    if (follow_current && (handed == 0 || seen >= kSwitchCheckEvery) && switched()) break;
    if (seen >= kSwitchCheckEvery) seen = 0;
  }
  bool moved = follow_current && now_current != start_current && now_current != version;
  return WatchEnd(call, s, name, version, moved, now_current);
}

template <class Encode>
grpc::Status Handlers::WatchOlder(const ApiHost::View& view, const FeedOptions& options,
                                  bool follow_current, CallContext& call, Encode&& encode) {
  if (options.from != SLUICE_FEED_FROM_NOW || !options.fields.empty())
    return ToGrpc(Unimplemented(
        "the host does not offer change feeds (ABI < 1.2): from, after and fields need them"));
  const std::string& name = view.endpoint().name;
  uint32_t version = view.version().version;
  uint32_t start_current = CurrentOf(*catalog_->Get(), name);
  uint32_t now_current = start_current;
  SchemaView c_schema(view.schema());
  Status encode_error;
  bool live = false;
  Status s = call.request().api().Watch(
      view, options.filter, [&](uint32_t op, uint64_t offset, std::string_view row) {
        if (call.Done()) return false;
        if (!live) call.SendHeaders();  // the watch is registered: tell the client
        live = true;
        if (follow_current && op == 0) {
          now_current = CurrentOf(*catalog_->Get(), name);
          if (now_current != start_current && now_current != version) return false;
        }
        if (op == 0) return true;
        sluice_feed_event e{};
        e.struct_size = sizeof e;
        e.op = op;
        e.offset = offset;
        e.version = version;
        e.row = reinterpret_cast<const uint8_t*>(row.data());
        e.row_size = row.size();
        e.schema = c_schema.get();
        std::string message;
        encode_error = encode(e, &message);
        return encode_error.ok() && call.Send(std::move(message));
      });
  if (!encode_error.ok()) return ToGrpc(encode_error);
  bool moved = follow_current && now_current != start_current && now_current != version;
  return WatchEnd(call, s, name, version, moved, now_current);
}

grpc::Status Handlers::CommonEvents(CallContext& call, const std::string& request) {
  v1::EventRequest req;
  grpc::Status g = ParseRequest(request, &req);
  if (!g.ok()) return g;
  ApiHost::View view;
  Status s = Pin(req.endpoint(), req.version(), call, &view);
  if (!s.ok()) return ToGrpc(s);
  FeedOptions o;
  o.filter = req.filter();
  o.fields = req.fields();
  s = FeedStart(req.has_after(), req.after(), req.from(), &o);
  if (!s.ok()) return ToGrpc(s);
  const sluice_schema* schema_c = nullptr;
  Schema schema;
  return Watch(
      view, o, req.version() == 0, call, [&](const sluice_feed_event& e, std::string* out) {
        if (e.schema != schema_c) {  // the selected fields
          schema_c = e.schema;
          if (!Schema::FromC(*e.schema, &schema)) return Internal("a bad feed schema");
        }
        v1::Event event;
        event.set_op(static_cast<v1::Op>(e.op));
        event.set_offset(e.offset);
        event.set_version(e.version);
        std::string_view row(reinterpret_cast<const char*>(e.row), e.row_size);
        SLUICE_RETURN_IF_ERROR(AppendRecordJson(event.mutable_record(), schema, row));
        return event.SerializeToString(out) ? Status() : Internal("cannot serialize an event");
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
  const auto* refl = req->GetReflection();
  const auto* after = types->event_request->FindFieldByNumber(2);
  FeedOptions o;
  o.filter = refl->GetString(*req, types->event_request->FindFieldByNumber(1));
  s = after == nullptr
          ? Status()
          : FeedStart(refl->HasField(*req, after), refl->GetUInt64(*req, after),
                      refl->GetString(*req, types->event_request->FindFieldByNumber(3)), &o);
  if (!s.ok()) return ToGrpc(s);
  const Schema& schema = view.schema();
  std::unique_ptr<Message> event(snap->New(types->event));
  const auto* op_field = types->event->FindFieldByNumber(1);
  const auto* offset_field = types->event->FindFieldByNumber(2);
  const auto* record_field = types->event->FindFieldByNumber(3);
  return Watch(view, o, m.version == 0, call, [&](const sluice_feed_event& e, std::string* out) {
    event->Clear();
    const auto* r = event->GetReflection();
    r->SetEnumValue(event.get(), op_field, static_cast<int>(e.op));
    r->SetUInt64(event.get(), offset_field, e.offset);
    std::string_view row(reinterpret_cast<const char*>(e.row), e.row_size);
    SLUICE_RETURN_IF_ERROR(RowToMessage(schema, row, r->MutableMessage(event.get(), record_field)));
    return event->SerializeToString(out) ? Status() : Internal("cannot serialize an event");
  });
}

}  // namespace sluice::grpcapi
