// The clean-stop watermark of a version's log (docs/formats.md "Clean-stop
// watermark"): what the writer saw when it closed the log cleanly, so that
// its next open can trust the log up to there after checking the last
// commit only, instead of reading every record. A crash leaves no
// watermark (the open that finds one removes it), so the open after a
// crash scans the whole log as before.
//
//   file {log dir}.clean := "SLWM" | format(=1):u8 | log_end:fixed64
//                           | last_record_crc:fixed32 | checkpoint bytes
//                           | masked_crc32c of everything before:fixed32
//
// last_record_crc is the CRC-32C of the whole record at log_end - 1 (the
// last commit record) as the backend returns it; checkpoint is the
// backend's checkpoint, byte for byte.
#ifndef SLUICE_HOST_STORAGE_LOG_WATERMARK_H_
#define SLUICE_HOST_STORAGE_LOG_WATERMARK_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "sluice/status.h"

namespace sluice::host {

struct LogWatermark {
  uint64_t log_end = 0;
  uint32_t last_record_crc = 0;
  std::string checkpoint;  // the backend's raw checkpoint
};

// The watermark file of the log kept under `log_dir`.
std::string WatermarkPath(const std::string& log_dir);

// Writes `w` to `path` atomically and durably (sluice/atomic_file.h).
Status WriteWatermark(const std::string& path, const LogWatermark& w);

// Reads and removes the watermark at `path`. *found is false when there is
// none, or when it does not decode (then it is removed too: a torn or
// foreign file is no watermark). I/O errors other than absence are
// returned; the removal is not synced (a watermark that comes back after a
// crash no longer matches the log: see VersionLog's open).
Status TakeWatermark(const std::string& path, LogWatermark* w, bool* found);

// CRC-32C of a record as the backend returns it (for last_record_crc).
uint32_t RecordCrc(std::string_view record);

}  // namespace sluice::host

#endif  // SLUICE_HOST_STORAGE_LOG_WATERMARK_H_
