#include "pipeline/progress.h"

#include <cstdio>

#include "util/log.h"

namespace sluice::host {

namespace {
using Clock = std::chrono::steady_clock;
// Rates are measured over this much recent time.
constexpr auto kRateWindow = std::chrono::seconds(5);
}  // namespace

Progress::Progress(std::vector<ProgressSource> sources, const IngestBoard* board, bool terminal,
                   std::chrono::milliseconds log_every)
    : sources_(std::move(sources)),
      board_(board),
      terminal_(terminal),
      log_every_(log_every),
      tracks_(sources_.size()) {
  Sample();
  thread_ = std::thread([this] { Run(); });
}

Progress::~Progress() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  thread_.join();
  if (terminal_) {
    Sample();
    std::fprintf(stderr, "\r\033[K%s\n", Line().c_str());
  }
}

void Progress::Sample() {
  auto now = Clock::now();
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < sources_.size(); ++i) {
    const IngestStats& st = *sources_[i].stats;
    std::deque<Point>& pts = tracks_[i].points;
    pts.push_back({now, st.rows.load(), st.bytes_done.load()});
    while (pts.size() > 2 && now - pts[1].at >= kRateWindow) pts.pop_front();
  }
}

std::string Progress::StateOf(size_t i) const {
  if (board_ == nullptr) return "";
  IngestStatus st = board_->Get(sources_[i].name);
  if (IngestStopped(st.phase) || st.phase == IngestPhase::kWaiting)
    return std::string(st.phase == IngestPhase::kSchemaChanged ? "schema changed"
                       : st.phase == IngestPhase::kWaiting     ? "waiting"
                                                               : "failed") +
           ": " + st.detail;
  return "";
}

std::string Progress::Describe(size_t i) const {
  const IngestStats& st = *sources_[i].stats;
  std::string out = sources_[i].name + ": ";
  std::string state = StateOf(i);
  double rows = static_cast<double>(st.rows.load());
  if (!state.empty() && state.rfind("waiting", 0) != 0)
    return out + state + " (" + HumanCount(rows) + " rows committed)";
  const std::deque<Point>& pts = tracks_[i].points;
  double secs =
      pts.size() < 2 ? 0 : std::chrono::duration<double>(pts.back().at - pts.front().at).count();
  double rate = secs > 0 ? (pts.back().rows - pts.front().rows) / secs : 0;
  double byte_rate = secs > 0 ? (pts.back().bytes - pts.front().bytes) / secs : 0;
  double done = static_cast<double>(st.bytes_done.load());
  double total = static_cast<double>(st.bytes_total.load());
  out += HumanCount(rows) + " rows, " + HumanBytes(done) +
         (total > 0 ? "/" + HumanBytes(total) : std::string()) + ", " + HumanCount(rate) +
         " rows/s";
  if (st.rejected.load() > 0) out += ", " + std::to_string(st.rejected.load()) + " rejected";
  if (!state.empty()) {
    out += ", " + state;
  } else if (st.at_end.load()) {
    out += ", caught up";
  } else if (total > 0 && done < total && byte_rate > 0) {
    double eta = (total - done) / byte_rate;
    char buf[32];
    std::snprintf(buf, sizeof buf, ", ETA %d:%02d", static_cast<int>(eta) / 60,
                  static_cast<int>(eta) % 60);
    out += buf;
  }
  return out;
}

std::string Progress::Line() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (size_t i = 0; i < sources_.size(); ++i) out += (out.empty() ? "" : " | ") + Describe(i);
  return out;
}

std::string Progress::ChangedLine() {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (size_t i = 0; i < sources_.size(); ++i) {
    Track& t = tracks_[i];
    uint64_t rows = sources_[i].stats->rows.load();
    std::string state = StateOf(i) + (sources_[i].stats->at_end.load() ? "|end" : "");
    if (rows == t.logged_rows && state == t.logged_state) continue;
    t.logged_rows = rows;
    t.logged_state = state;
    out += (out.empty() ? "" : " | ") + Describe(i);
  }
  return out;
}

void Progress::Run() {
  auto tick = terminal_ ? std::chrono::milliseconds(250) : log_every_;
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, tick, [&] { return stop_; })) {
    lock.unlock();
    Sample();
    if (terminal_) {
      std::fprintf(stderr, "\r\033[K%s", Line().c_str());
      std::fflush(stderr);
    } else if (std::string line = ChangedLine(); !line.empty()) {
      log::Info("app", "progress " + line);
    }
    lock.lock();
  }
}

}  // namespace sluice::host
