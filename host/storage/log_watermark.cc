#include "storage/log_watermark.h"

#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <iterator>

#include "sluice/atomic_file.h"
#include "sluice/crc32c.h"
#include "sluice/row.h"

namespace sluice::host {
namespace {

constexpr std::string_view kMagic = "SLWM";
constexpr uint8_t kFormat = 1;
constexpr size_t kFixedSize = 4 + 1 + 8 + 4;  // magic, format, log_end, last_record_crc

bool Decode(std::string_view data, LogWatermark* w) {
  if (data.size() < kFixedSize + 4 || data.substr(0, 4) != kMagic ||
      static_cast<uint8_t>(data[4]) != kFormat)
    return false;
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  size_t body = data.size() - 4;
  if (GetFixed32(p + body) != crc32c::Mask(crc32c::Value(data.data(), body))) return false;
  w->log_end = GetFixed64(p + 5);
  w->last_record_crc = GetFixed32(p + 13);
  w->checkpoint.assign(data.data() + kFixedSize, body - kFixedSize);
  return true;
}

}  // namespace

std::string WatermarkPath(const std::string& log_dir) {
  std::string dir = log_dir;
  while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
  return dir + ".clean";
}

uint32_t RecordCrc(std::string_view record) { return crc32c::Value(record.data(), record.size()); }

Status WriteWatermark(const std::string& path, const LogWatermark& w) {
  std::string out(kMagic);
  out.push_back(static_cast<char>(kFormat));
  PutFixed64(&out, w.log_end);
  PutFixed32(&out, w.last_record_crc);
  out += w.checkpoint;
  PutFixed32(&out, crc32c::Mask(crc32c::Value(out.data(), out.size())));
  return WriteFileAtomically(path, out);
}

Status TakeWatermark(const std::string& path, LogWatermark* w, bool* found) {
  *found = false;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (errno == ENOENT) return Status();
    return IoError("open " + path, errno);
  }
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  in.close();
  *found = Decode(data, w);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return IoError("unlink " + path, errno);
  return Status();
}

}  // namespace sluice::host
