// ASSERT_OK / EXPECT_OK for sluice::Status in the tests that do not include
// the conformance suite (whose header defines the same-named macros along
// with the suite's tests, so it may be included by one file only).
#ifndef SLUICE_PLUGINS_LOG_NATS_TESTS_STATUS_MACROS_H_
#define SLUICE_PLUGINS_LOG_NATS_TESTS_STATUS_MACROS_H_

#include <gtest/gtest.h>

#include "sluice/status.h"

#define SLUICE_EXPECT_OK(expr)                                                \
  do {                                                                        \
    ::sluice::Status _sluice_st = (expr);                                     \
    EXPECT_TRUE(_sluice_st.ok()) << #expr << " -> " << _sluice_st.ToString(); \
  } while (0)
#define SLUICE_ASSERT_OK(expr)                                                \
  do {                                                                        \
    ::sluice::Status _sluice_st = (expr);                                     \
    ASSERT_TRUE(_sluice_st.ok()) << #expr << " -> " << _sluice_st.ToString(); \
  } while (0)

#endif  // SLUICE_PLUGINS_LOG_NATS_TESTS_STATUS_MACROS_H_
