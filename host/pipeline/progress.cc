#include "pipeline/progress.h"

#include <algorithm>
#include <cstdio>

#include "util/human.h"
#include "util/log.h"

namespace sluice::host {

namespace {
using Clock = std::chrono::steady_clock;
// Rates are measured over this much recent time.
constexpr auto kRateWindow = std::chrono::seconds(5);

std::string Amount(double n, ProgressSample::Unit unit) {
  return unit == ProgressSample::Unit::kBytes ? HumanBytes(n) : HumanCount(n);
}
}  // namespace

ProgressSource IngestProgressSource(const std::string& endpoint, const IngestStats* stats,
                                    const IngestBoard* board) {
  return {endpoint, [endpoint, stats, board] {
            ProgressSample s;
            s.rows = stats->rows.load();
            s.done = stats->bytes_done.load();
            s.total = stats->bytes_total.load();
            s.rejected = stats->rejected.load();
            s.at_end = stats->at_end.load();
            if (board != nullptr) {
              IngestStatus st = board->Get(endpoint);
              if (IngestStopped(st.phase) || st.phase == IngestPhase::kWaiting)
                s.state = std::string(st.phase == IngestPhase::kSchemaChanged  ? "schema changed"
                                      : st.phase == IngestPhase::kLogDamaged   ? "log damaged"
                                      : st.phase == IngestPhase::kStorageError ? "storage error"
                                      : st.phase == IngestPhase::kWaiting      ? "waiting"
                                                                               : "failed") +
                          ": " + st.detail;
            }
            return s;
          }};
}

Progress::Progress(std::vector<ProgressSource> sources, bool terminal,
                   std::chrono::milliseconds log_every)
    : terminal_(terminal), log_every_(log_every) {
  for (ProgressSource& s : sources) Add(std::move(s));
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
    std::string line = Line();
    if (!line.empty()) std::fprintf(stderr, "\r\033[K%s\n", line.c_str());
  }
}

void Progress::Add(ProgressSource source) {
  // Where it starts from: what it does from here on is progress (asked
  // before the lock, as in Sample()).
  Track fresh{std::move(source), {}, {}};
  fresh.last = fresh.source.sample();
  fresh.first_rows = fresh.last.rows;
  std::lock_guard<std::mutex> lock(mu_);
  for (Track& t : tracks_)
    if (t.source.name == fresh.source.name) {
      t = std::move(fresh);
      return;
    }
  tracks_.push_back(std::move(fresh));
}

std::vector<std::string> Progress::Sample(Clock::time_point now) {
  // Sources are asked without the lock held: asking one may take other
  // locks (or release the last reference to what it watches).
  std::vector<ProgressSource> sources;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const Track& t : tracks_) sources.push_back(t.source);
  }
  std::vector<ProgressSample> samples;
  for (const ProgressSource& s : sources) samples.push_back(s.sample());
  std::vector<std::string> finished;
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < sources.size(); ++i) {
    auto it = tracks_.begin();
    while (it != tracks_.end() && it->source.name != sources[i].name) ++it;
    if (it == tracks_.end()) continue;
    const ProgressSample& s = samples[i];
    Track& t = *it;
    t.last = s;
    if (t.first_rows == UINT64_MAX) t.first_rows = s.rows;
    std::deque<Point>& pts = t.points;
    pts.push_back({now, s.rows, s.done});
    while (pts.size() > 2 && now - pts[1].at >= kRateWindow) pts.pop_front();
    if (s.finished && s.rows > t.first_rows) finished.push_back(Describe(t));
    if (s.finished || s.gone) tracks_.erase(it);
  }
  return finished;
}

std::string Progress::Describe(const Track& t) {
  const ProgressSample& s = t.last;
  std::string out = t.source.name + ": ";
  double rows = static_cast<double>(s.rows);
  if (!s.state.empty() && s.state.rfind("waiting", 0) != 0)
    return out + s.state + " (" + HumanCount(rows) + " rows done)";
  const std::deque<Point>& pts = t.points;
  double secs =
      pts.size() < 2 ? 0 : std::chrono::duration<double>(pts.back().at - pts.front().at).count();
  double rate = secs > 0 ? (pts.back().rows - pts.front().rows) / secs : 0;
  double done_rate = secs > 0 ? (pts.back().done - pts.front().done) / secs : 0;
  double done = static_cast<double>(s.done);
  double total = static_cast<double>(s.total);
  std::string unit = s.unit == ProgressSample::Unit::kRecords ? " log records" : "";
  out += HumanCount(rows) + " rows, " + Amount(done, s.unit) +
         (total > 0 ? "/" + Amount(total, s.unit) : std::string()) + unit + ", " +
         HumanCount(rate) + " rows/s";
  if (s.rejected > 0) out += ", " + std::to_string(s.rejected) + " rejected";
  if (!s.state.empty()) {
    out += ", " + s.state;
  } else if (s.at_end || s.finished) {
    out += ", caught up";
  } else if (total > 0 && done < total && done_rate > 0) {
    double eta = (total - done) / done_rate;
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
  for (const Track& t : tracks_) out += (out.empty() ? "" : " | ") + Describe(t);
  return out;
}

std::string Progress::ChangedLine() {
  std::lock_guard<std::mutex> lock(mu_);
  std::string out;
  for (Track& t : tracks_) {
    std::string state = t.last.state + (t.last.at_end ? "|end" : "");
    if (t.last.rows == t.logged_rows && state == t.logged_state) continue;
    t.logged_rows = t.last.rows;
    t.logged_state = state;
    out += (out.empty() ? "" : " | ") + Describe(t);
  }
  return out;
}

void Progress::Run() {
  auto tick = terminal_ ? std::chrono::milliseconds(250) : log_every_;
  // Finished sources are noticed every quarter second, so that their final
  // line comes soon after they finish even when lines are logged rarely.
  auto step = std::min<std::chrono::milliseconds>(tick, std::chrono::milliseconds(250));
  auto next = Clock::now() + tick;
  std::unique_lock<std::mutex> lock(mu_);
  while (!cv_.wait_for(lock, step, [&] { return stop_; })) {
    lock.unlock();
    for (const std::string& line : Sample()) {
      if (terminal_) std::fprintf(stderr, "\r\033[K%s\n", line.c_str());
      else log::Info("app", "progress " + line);
    }
    if (Clock::now() >= next) {
      next = Clock::now() + tick;
      if (terminal_) {
        std::fprintf(stderr, "\r\033[K%s", Line().c_str());
        std::fflush(stderr);
      } else if (std::string line = ChangedLine(); !line.empty()) {
        log::Info("app", "progress " + line);
      }
    }
    lock.lock();
  }
}

}  // namespace sluice::host
