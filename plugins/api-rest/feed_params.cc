#include "feed_params.h"

#include <charconv>
#include <vector>

namespace sluice::rest {
namespace {

bool ParseU64(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

Status ParseFeedAfter(std::string_view where, std::string_view text, FeedParams* p) {
  uint64_t version = 0, offset = 0;
  size_t colon = text.find(':');
  bool ok = colon == std::string_view::npos
                ? ParseU64(text, &offset)
                : ParseU64(text.substr(0, colon), &version) && version > 0 &&
                      version <= UINT32_MAX && ParseU64(text.substr(colon + 1), &offset);
  if (!ok)
    return InvalidArgument(std::string(where) + ": expected a log offset (42) or version:offset " +
                           "(3:42) as in event ids, found '" + std::string(text) + "'");
  p->resume = true;
  p->resume_version = static_cast<uint32_t>(version);
  p->options.from = SLUICE_FEED_FROM_AFTER;
  p->options.after = offset;
  return Status();
}

Status ParseFeedFrom(std::string_view text, FeedParams* p) {
  uint64_t n = 0;
  if (text == "now") {
    p->options.from = SLUICE_FEED_FROM_NOW;
  } else if (text == "start" || (ParseU64(text, &n) && n == 0)) {
    p->options.from = SLUICE_FEED_FROM_START;
  } else if (ParseU64(text, &n)) {
    p->options.from = SLUICE_FEED_FROM_AFTER;
    p->options.after = n - 1;
  } else {
    return InvalidArgument("from: expected now, start or a log offset, found '" +
                           std::string(text) + "'");
  }
  return Status();
}

Status ParseFeedHeartbeat(std::string_view text, FeedParams* p) {
  uint64_t n = 0;
  if (!ParseU64(text, &n) || n < 1 || n > 300)
    return InvalidArgument("heartbeat: expected seconds from 1 to 300, found '" +
                           std::string(text) + "'");
  p->heartbeat_s = static_cast<uint32_t>(n);
  return Status();
}

Status FeedParamsFromObject(simdjson::dom::object obj, std::string_view where,
                            std::string_view known, bool heartbeat, FeedParamsOtherKey other,
                            FeedParams* p, std::string* after) {
  std::string at(where);
  std::vector<std::string_view> seen;
  for (auto field : obj) {
    std::string_view k = field.key;
    for (std::string_view s : seen)
      if (s == k) return InvalidArgument(at + ": key '" + std::string(k) + "' given twice");
    seen.push_back(k);
    simdjson::dom::element v = field.value;
    std::string_view str;
    std::string text =
        v.get_string().get(str) == simdjson::SUCCESS ? std::string(str) : simdjson::to_string(v);
    simdjson::dom::array names;
    if (k == "$filter") {
      if (!v.is_object()) return InvalidArgument(at + ": $filter must be an object");
      p->options.filter = text;
    } else if (k == "fields") {
      if (v.get_array().get(names) == simdjson::SUCCESS) {
        text.clear();
        for (simdjson::dom::element f : names) {
          if (f.get_string().get(str) != simdjson::SUCCESS)
            return InvalidArgument(at + ": fields must list field names (strings)");
          text += (text.empty() ? "" : ",") + std::string(str);
        }
      } else if (!v.is_string()) {
        return InvalidArgument(at + ": fields must be an array of names or \"a,b\"");
      }
      p->options.fields = text;
    } else if (k == "from") {
      SLUICE_RETURN_IF_ERROR(ParseFeedFrom(text, p));
    } else if (k == "after") {
      *after = text;
    } else if (k == "heartbeat" && heartbeat) {
      SLUICE_RETURN_IF_ERROR(ParseFeedHeartbeat(text, p));
    } else {
      Status error;
      if (!other(k, v, &error))
        return InvalidArgument(at + ": unknown key '" + std::string(k) + "'; expected " +
                               std::string(known));
      SLUICE_RETURN_IF_ERROR(error);
    }
  }
  return Status();
}

Status FeedParamsFromBody(std::string_view body, FeedParams* p, std::string* after) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return Status();
  thread_local simdjson::dom::parser parser;
  simdjson::dom::object obj;
  constexpr std::string_view kKnown = "$filter, fields, from, after, heartbeat";
  auto error = parser.parse(body.data(), body.size()).get(obj);
  if (error)
    return InvalidArgument(std::string("request body: ") + simdjson::error_message(error) +
                           "; expected an object with " + std::string(kKnown));
  return FeedParamsFromObject(
      obj, "request body", kKnown, /*heartbeat=*/true,
      [](std::string_view, simdjson::dom::element, Status*) { return false; }, p, after);
}

}  // namespace sluice::rest
