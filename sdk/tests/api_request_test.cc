// ApiHost::BeginRequest and ApiHost::Request (ABI 1.2) against hand-made C
// tables: what reaches the host, ending, and the fallback on older hosts.
#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "sluice/api_host.h"

namespace sluice {
namespace {

// A minimal host: records the credential, ends requests, answers authorize
// and request_info from fixed values.
struct FakeHost {
  sluice_api_host root{};
  sluice_api_host request{};
  std::string seen;
  int ended = 0;
  int32_t refuse = SLUICE_OK;

  FakeHost() {
    root.struct_size = sizeof root;
    root.ctx = this;
    root.begin_request = [](void* ctx, const sluice_credential* c, const sluice_api_host** out,
                            sluice_status* st) -> int32_t {
      auto* h = static_cast<FakeHost*>(ctx);
      h->seen = std::to_string(c->kind) + ":" + std::string(c->token, c->token_size) + ":" +
                c->peer + ":" + std::to_string(c->local);
      *out = &h->request;
      if (h->refuse == SLUICE_OK) return SLUICE_OK;
      return Status(Code::kResourceExhausted, "slow down").ToC(st);
    };
    request = root;
    request.end_request = [](void* ctx) { static_cast<FakeHost*>(ctx)->ended++; };
    request.authorize = [](void*, uint32_t action, const char* endpoint, sluice_status* st) {
      if (action == SLUICE_ACTION_ADMIN) return Status(Code::kPermissionDenied, "no").ToC(st);
      if (endpoint != nullptr && std::strcmp(endpoint, "secret") == 0)
        return Status(Code::kPermissionDenied, "not that one").ToC(st);
      return static_cast<int32_t>(SLUICE_OK);
    };
    request.request_info = [](void*, sluice_request_info* info, sluice_status*) -> int32_t {
      uint32_t size = info->struct_size;
      std::memset(info, 0, size);
      info->struct_size = size;
      info->principal_class = SLUICE_PRINCIPAL_KEY;
      info->principal = "reporting";
      info->rate_limited = 1;
      info->limit = 10, info->remaining = 3, info->reset_ms = 700, info->retry_after_ms = 0;
      return SLUICE_OK;
    };
    root.end_request = request.end_request;
    root.authorize = request.authorize;
    root.request_info = request.request_info;
  }
};

TEST(ApiRequest, CarriesTheCredentialAndEndsOnce) {
  FakeHost h;
  ApiHost api(&h.root);
  {
    ApiHost::Request r;
    Credential c{Credential::Kind::kBearer, "tok", "192.0.2.1", true};
    api.BeginRequest(c, &r);
    EXPECT_EQ(h.seen, "2:tok:192.0.2.1:1");
    EXPECT_TRUE(r.status().ok());
    EXPECT_EQ(r.api().c(), &h.request);
    EXPECT_TRUE(r.Authorize(Action::kRead).ok());
    EXPECT_EQ(r.Authorize(Action::kRead, "secret").code(), Code::kPermissionDenied);
    EXPECT_EQ(r.Authorize(Action::kAdmin).message(), "no");
    RequestInfo info = r.Info();
    EXPECT_TRUE(info.reported);
    EXPECT_EQ(info.principal, "reporting");
    EXPECT_EQ(info.principal_class, static_cast<uint32_t>(SLUICE_PRINCIPAL_KEY));
    EXPECT_TRUE(info.rate_limited);
    EXPECT_EQ(info.remaining, 3u);
    ApiHost::Request moved = std::move(r);  // the moved-from request ends nothing
    EXPECT_EQ(h.ended, 0);
  }
  EXPECT_EQ(h.ended, 1);
}

TEST(ApiRequest, ARefusedRequestStillEndsAndReportsItsRefusal) {
  FakeHost h;
  h.refuse = SLUICE_RESOURCE_EXHAUSTED;
  {
    ApiHost::Request r;
    ApiHost(&h.root).BeginRequest(Credential(), &r);
    EXPECT_EQ(r.status().code(), Code::kResourceExhausted);
    EXPECT_EQ(r.status().message(), "slow down");
  }
  EXPECT_EQ(h.ended, 1);
}

TEST(ApiRequest, OnAHostBeforeAbi12TheRequestIsTheHostItself) {
  FakeHost h;
  h.root.struct_size = offsetof(sluice_api_host, begin_request);  // a 1.1 host
  ApiHost::Request r;
  ApiHost(&h.root).BeginRequest({Credential::Kind::kApiKey, "k"}, &r);
  EXPECT_EQ(h.seen, "");
  EXPECT_EQ(r.api().c(), &h.root);
  EXPECT_TRUE(r.status().ok());
  EXPECT_TRUE(r.Authorize(Action::kAdmin).ok());  // no access control there
  EXPECT_FALSE(r.Info().reported);
  r.End();
  EXPECT_EQ(h.ended, 0);
}

}  // namespace
}  // namespace sluice
