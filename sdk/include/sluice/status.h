// sluice::Status: a cheap error value (code + message) used on both sides of
// the plugin boundary and throughout the host. OK carries no allocation.
//
//   sluice::Status s = store.Write(ops, /*sync=*/true);
//   if (!s.ok()) return s;   // or s.WithContext("cache trips/v0001")
#ifndef SLUICE_STATUS_H_
#define SLUICE_STATUS_H_

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "sluice/abi.h"

namespace sluice {

enum class Code : int32_t {
  kOk = SLUICE_OK,
  kCancelled = SLUICE_CANCELLED,
  kUnknown = SLUICE_UNKNOWN,
  kInvalidArgument = SLUICE_INVALID_ARGUMENT,
  kDeadlineExceeded = SLUICE_DEADLINE_EXCEEDED,
  kNotFound = SLUICE_NOT_FOUND,
  kAlreadyExists = SLUICE_ALREADY_EXISTS,
  kPermissionDenied = SLUICE_PERMISSION_DENIED,
  kResourceExhausted = SLUICE_RESOURCE_EXHAUSTED,
  kFailedPrecondition = SLUICE_FAILED_PRECONDITION,
  kAborted = SLUICE_ABORTED,
  kOutOfRange = SLUICE_OUT_OF_RANGE,
  kUnimplemented = SLUICE_UNIMPLEMENTED,
  kInternal = SLUICE_INTERNAL,
  kUnavailable = SLUICE_UNAVAILABLE,
  kDataLoss = SLUICE_DATA_LOSS,
  kUnauthenticated = SLUICE_UNAUTHENTICATED,
};

// Lower-case name of a code ("invalid_argument"), for messages and JSON.
inline const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk: return "ok";
    case Code::kCancelled: return "cancelled";
    case Code::kUnknown: return "unknown";
    case Code::kInvalidArgument: return "invalid_argument";
    case Code::kDeadlineExceeded: return "deadline_exceeded";
    case Code::kNotFound: return "not_found";
    case Code::kAlreadyExists: return "already_exists";
    case Code::kPermissionDenied: return "permission_denied";
    case Code::kResourceExhausted: return "resource_exhausted";
    case Code::kFailedPrecondition: return "failed_precondition";
    case Code::kAborted: return "aborted";
    case Code::kOutOfRange: return "out_of_range";
    case Code::kUnimplemented: return "unimplemented";
    case Code::kInternal: return "internal";
    case Code::kUnavailable: return "unavailable";
    case Code::kDataLoss: return "data_loss";
    case Code::kUnauthenticated: return "unauthenticated";
  }
  return "unknown";
}

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(Code code, std::string message)
      : rep_(code == Code::kOk ? nullptr
                               : std::make_shared<const Rep>(Rep{code, std::move(message)})) {}

  static Status OK() { return Status(); }
  bool ok() const { return rep_ == nullptr; }
  Code code() const { return rep_ ? rep_->code : Code::kOk; }
  // Empty for OK.
  const std::string& message() const {
    static const std::string kEmpty;
    return rep_ ? rep_->message : kEmpty;
  }
  // "invalid_argument: message", or "ok".
  std::string ToString() const {
    return ok() ? "ok" : std::string(CodeName(code())) + ": " + message();
  }
  // Same code, message prefixed with "context: ".
  Status WithContext(std::string_view context) const {
    if (ok()) return *this;
    return Status(code(), std::string(context) + ": " + message());
  }

  // ---- crossing the C boundary ----
  // Writes this status into *out (message truncated to fit) and returns the
  // code. OK costs no formatting: it is every successful call's answer.
  int32_t ToC(sluice_status* out) const {
    if (out != nullptr) {
      out->code = static_cast<int32_t>(code());
      if (ok()) out->message[0] = '\0';
      else std::snprintf(out->message, sizeof(out->message), "%s", message().c_str());
    }
    return static_cast<int32_t>(code());
  }
  // The status a C call reported: `rc` with the message in `st`.
  static Status FromC(int32_t rc, const sluice_status& st) {
    if (rc == SLUICE_OK) return Status();
    std::string msg(st.message, strnlen(st.message, sizeof(st.message)));
    if (msg.empty()) msg = "(no message)";
    if (rc < 0 || rc > SLUICE_UNAUTHENTICATED) return Status(Code::kUnknown, msg);
    return Status(static_cast<Code>(rc), std::move(msg));
  }

 private:
  struct Rep {
    Code code;
    std::string message;
  };
  std::shared_ptr<const Rep> rep_;
};

inline Status InvalidArgument(std::string m) {
  return Status(Code::kInvalidArgument, std::move(m));
}
inline Status NotFound(std::string m) { return Status(Code::kNotFound, std::move(m)); }
inline Status FailedPrecondition(std::string m) {
  return Status(Code::kFailedPrecondition, std::move(m));
}
inline Status Unavailable(std::string m) { return Status(Code::kUnavailable, std::move(m)); }
inline Status Internal(std::string m) { return Status(Code::kInternal, std::move(m)); }
inline Status DataLoss(std::string m) { return Status(Code::kDataLoss, std::move(m)); }
inline Status OutOfRange(std::string m) { return Status(Code::kOutOfRange, std::move(m)); }
inline Status AlreadyExists(std::string m) { return Status(Code::kAlreadyExists, std::move(m)); }
inline Status DeadlineExceeded(std::string m) {
  return Status(Code::kDeadlineExceeded, std::move(m));
}
inline Status Unimplemented(std::string m) { return Status(Code::kUnimplemented, std::move(m)); }
inline Status ResourceExhausted(std::string m) {
  return Status(Code::kResourceExhausted, std::move(m));
}
inline Status PermissionDenied(std::string m) {
  return Status(Code::kPermissionDenied, std::move(m));
}
inline Status Unauthenticated(std::string m) {
  return Status(Code::kUnauthenticated, std::move(m));
}
// An I/O failure with errno text: "open /x/y: No such file or directory".
// ENOENT is NOT_FOUND; a full disk or quota (ENOSPC, EDQUOT) is
// RESOURCE_EXHAUSTED, which a caller may retry once space is freed;
// anything else INTERNAL.
inline Status IoError(std::string_view what, int err) {
  Code code = err == ENOENT                    ? Code::kNotFound
              : err == ENOSPC || err == EDQUOT ? Code::kResourceExhausted
                                               : Code::kInternal;
  return Status(code, std::string(what) + ": " + std::strerror(err));
}

}  // namespace sluice

// Returns from the enclosing function when `expr` yields a non-OK Status.
#define SLUICE_RETURN_IF_ERROR(expr)         \
  do {                                       \
    ::sluice::Status _sluice_st = (expr);    \
    if (!_sluice_st.ok()) return _sluice_st; \
  } while (0)

#endif  // SLUICE_STATUS_H_
