#include "generator_reader.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <utility>

#include "generator_rows.h"

namespace generator {

constexpr uint64_t kUnlimited = std::numeric_limits<uint64_t>::max();

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

GeneratorReader::GeneratorReader(const GeneratorConfig& config, uint64_t next_row,
                                 MicrosClock clock)
    : config_(config), next_row_(next_row), clock_(std::move(clock)), start_micros_(clock_()) {}

uint64_t GeneratorReader::Available() const {
  uint64_t left = kUnlimited;
  if (config_.rows > 0) left = next_row_ >= config_.rows ? 0 : config_.rows - next_row_;
  if (config_.rate <= 0) return left;
  const double seconds = static_cast<double>(clock_() - start_micros_) / 1e6;
  const double allowed = config_.rate * std::max(seconds, 0.0);
  if (allowed >= static_cast<double>(kUnlimited)) return left;
  const uint64_t due = static_cast<uint64_t>(allowed);
  return std::min(left, due > produced_ ? due - produced_ : 0);
}

sluice::Status GeneratorReader::Next(uint32_t max_rows, sluice::RowBatchBuilder* out,
                                     sluice::BatchInfo* info) {
  const uint64_t available = Available();
  const uint64_t n = std::min<uint64_t>(max_rows, available);
  for (uint64_t i = 0; i < n; ++i) {
    EncodeRow(RowAt(config_.seed, next_row_), out->row_buffer());
    ++next_row_;
    out->EndRow(SLUICE_OP_INSERT, EncodeOffset(next_row_));
  }
  produced_ += n;
  // At the end when nothing is left now: the table is exhausted, or the
  // rate allows no more rows until time passes.
  info->at_end = n == available && available != kUnlimited;
  return sluice::Status();
}

}  // namespace generator
