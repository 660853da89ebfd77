#include "http_status.h"

#include "sluice/json.h"
#include "sluice/utf8.h"

namespace sluice::rest {

int HttpStatusFor(Code code) {
  switch (code) {
    case Code::kOk: return 200;
    case Code::kInvalidArgument:
    case Code::kOutOfRange:
    case Code::kResourceExhausted: return 400;
    case Code::kUnauthenticated: return 401;
    case Code::kPermissionDenied: return 403;
    case Code::kNotFound: return 404;
    case Code::kFailedPrecondition: return 409;
    case Code::kUnavailable: return 503;
    case Code::kUnimplemented: return 501;
    case Code::kDeadlineExceeded: return 504;
    case Code::kCancelled: return 499;  // the client left (nginx's code): for metrics only
    default: return 500;
  }
}

std::string ErrorJson(std::string_view code_name, std::string_view message) {
  std::string out;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("error");
  w.BeginObject();
  w.Key("code");
  w.String(code_name);
  w.Key("message");
  w.String(ValidUtf8(message));  // messages may quote what a client sent
  w.EndObject();
  w.EndObject();
  return out;
}

}  // namespace sluice::rest
