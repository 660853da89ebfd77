// GoogleTest assertions on sluice::Status for plugin tests: the expression's
// text and the status are printed when it is not OK.
//
//   SLUICE_ASSERT_OK(log->Append(...));   // fatal
//   SLUICE_EXPECT_OK(store->Write(...));  // non-fatal
#ifndef SLUICE_TESTING_STATUS_MACROS_H_
#define SLUICE_TESTING_STATUS_MACROS_H_

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

#endif  // SLUICE_TESTING_STATUS_MACROS_H_
