// util/c_guard.h: no exception thrown on the host side of a C call reaches
// the plugin; the plugin sees SLUICE_INTERNAL and a message instead.
#include "util/c_guard.h"

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include "registry/api_host.h"

namespace sluice::host {
namespace {

int32_t Throws(void*, int32_t n, sluice_status* st) {
  if (n > 0) throw std::runtime_error("boom " + std::to_string(n));
  if (n < 0) throw 42;
  return Status().ToC(st);
}

void ThrowsVoid(void*) { throw std::logic_error("void boom"); }

const char* ThrowsPointer(int) { throw std::bad_alloc(); }

TEST(CGuardTest, AnExceptionBecomesInternalWithItsMessage) {
  sluice_status st{};
  EXPECT_EQ((CGuard<&Throws>::Call(nullptr, 0, &st)), SLUICE_OK);
  EXPECT_EQ((CGuard<&Throws>::Call(nullptr, 7, &st)), SLUICE_INTERNAL);
  EXPECT_EQ(st.code, SLUICE_INTERNAL);
  EXPECT_NE(std::strstr(st.message, "the host failed in a call from a plugin: exception: boom 7"),
            nullptr)
      << st.message;
  EXPECT_EQ((CGuard<&Throws>::Call(nullptr, -1, &st)), SLUICE_INTERNAL);
  EXPECT_NE(std::strstr(st.message, "a non-standard exception"), nullptr) << st.message;
}

TEST(CGuardTest, CallsWithoutAStatusReturnNothingOrNull) {
  CGuard<&ThrowsVoid>::Call(nullptr);  // no crash, nothing to return
  EXPECT_EQ(CGuard<&ThrowsPointer>::Call(1), nullptr);
}

// The real table plugins get: a metrics sink that throws (a C++ plugin
// breaking the ABI's rule) unwinds into the host's metrics call, which
// must answer with a status rather than let it go on into the plugin.
TEST(CGuardTest, TheApiHostTableIsGuarded) {
  ApiHostImpl host(nullptr, QueryLimits{}, nullptr);
  const sluice_api_host* t = host.table();
  sluice_status st{};
  auto sink = [](void*, const char*, size_t) { throw std::runtime_error("sink failed"); };
  EXPECT_EQ(t->metrics(t->ctx, sink, nullptr, &st), SLUICE_INTERNAL);
  EXPECT_EQ(st.code, SLUICE_INTERNAL);
  EXPECT_NE(std::strstr(st.message, "sink failed"), nullptr) << st.message;
  // The same call with a sink that works still answers.
  std::string text;
  auto keep = [](void* ctx, const char* data, size_t size) {
    static_cast<std::string*>(ctx)->assign(data, size);
  };
  EXPECT_EQ(t->metrics(t->ctx, keep, &text, &st), SLUICE_OK) << st.message;
  EXPECT_FALSE(text.empty());
}

}  // namespace
}  // namespace sluice::host
