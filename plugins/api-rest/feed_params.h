// Where a change feed starts and what it carries, as clients say it: the
// parameters of the events route (URL query or POST body) and of a
// WebSocket subscribe message, read alike (docs/realtime.md).
//
//   FeedParams p;
//   std::string after;
//   Status s = FeedParamsFromBody(R"({"$filter": {"zone": 2}, "from": "start"})", &p, &after);
//   if (s.ok() && !after.empty()) s = ParseFeedAfter("after", after, &p);
#ifndef SLUICE_PLUGINS_API_REST_FEED_PARAMS_H_
#define SLUICE_PLUGINS_API_REST_FEED_PARAMS_H_

#include <simdjson.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/feed.h"
#include "sluice/function_ref.h"
#include "sluice/status.h"

namespace sluice::rest {

struct FeedParams {
  FeedOptions options;
  bool resume = false;          // after = resume_version:resume_offset
  uint32_t resume_version = 0;  // 0 = not named
  uint32_t heartbeat_s = 15;
};

// "N" or "V:N" (an event id of the unversioned path) into p's resume
// point. INVALID_ARGUMENT naming `where` and what was found otherwise.
Status ParseFeedAfter(std::string_view where, std::string_view text, FeedParams* p);
// "now", "start" or a log offset.
Status ParseFeedFrom(std::string_view text, FeedParams* p);
// Seconds between heartbeats, 1 to 300.
Status ParseFeedHeartbeat(std::string_view text, FeedParams* p);

// Another key of a parameter object: returns true when it took `key`
// (setting *error when the value is wrong), false for a key it does not know.
using FeedParamsOtherKey =
    FunctionRef<bool(std::string_view key, simdjson::dom::element value, Status* error)>;

// Reads a JSON object's feed keys: $filter (an object), fields (an array
// of names or "a,b"), from, after (into *after, unparsed) and, when
// `heartbeat` says so, heartbeat. Every other key goes to `other`; one it
// does not take, or a key given twice, is refused. Messages start with
// `where` ("request body", "subscribe message") and list `known`.
Status FeedParamsFromObject(simdjson::dom::object obj, std::string_view where,
                            std::string_view known, bool heartbeat, FeedParamsOtherKey other,
                            FeedParams* p, std::string* after);

// A POST body of the events route: empty, or an object read as above.
Status FeedParamsFromBody(std::string_view body, FeedParams* p, std::string* after);

}  // namespace sluice::rest

#endif  // SLUICE_PLUGINS_API_REST_FEED_PARAMS_H_
