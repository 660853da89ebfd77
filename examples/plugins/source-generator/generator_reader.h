// GeneratorReader: produces rows next_row, next_row + 1, ... of one table,
// no faster than the configured rate, until the configured row count.
#ifndef GENERATOR_GENERATOR_READER_H_
#define GENERATOR_GENERATOR_READER_H_

#include <cstdint>
#include <functional>

#include "generator_config.h"
#include "sluice/source.h"

namespace generator {

// Monotonic time in microseconds (any origin). Injected so tests control it.
using MicrosClock = std::function<int64_t()>;

// std::chrono::steady_clock in microseconds.
int64_t SteadyMicros();

class GeneratorReader : public sluice::SourceReader {
 public:
  // Starts at row `next_row`. The rate is measured from construction: after
  // t seconds at most floor(rate * t) rows have been produced.
  GeneratorReader(const GeneratorConfig& config, uint64_t next_row, MicrosClock clock);

  // Appends up to max_rows rows, each with the offset that resumes after it.
  // Sets info->at_end when the table is exhausted (rows reached) or when the
  // rate allows no more rows for now; the host then polls again later. A
  // batch may be empty (with at_end). Never fails.
  sluice::Status Next(uint32_t max_rows, sluice::RowBatchBuilder* out,
                      sluice::BatchInfo* info) override;

  uint64_t next_row() const { return next_row_; }

 private:
  // How many rows may be produced now, ignoring max_rows.
  uint64_t Available() const;

  GeneratorConfig config_;
  uint64_t next_row_;
  uint64_t produced_ = 0;  // by this reader
  MicrosClock clock_;
  int64_t start_micros_;
};

}  // namespace generator

#endif  // GENERATOR_GENERATOR_READER_H_
