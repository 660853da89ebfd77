// Runs a libFuzzer target's checks over saved inputs without libFuzzer, so
// the main build (any compiler) replays the seed corpus and every saved
// crash reproducer as a regression test:
//
//   query_fuzz_replay fuzz/corpus/query [more files or directories]
//
// Exits 0 after every input passed (a failed check aborts), 1 when an
// argument cannot be read or names no input at all.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

// The files `arg` names: itself, or the regular files in it (sorted).
bool Inputs(const std::string& arg, std::vector<fs::path>* out) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) {
    out->push_back(arg);
    return true;
  }
  if (!fs::is_directory(arg, ec)) return false;
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(arg, ec))
    if (e.is_regular_file()) files.push_back(e.path());
  std::sort(files.begin(), files.end());
  out->insert(out->end(), files.begin(), files.end());
  return !ec;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (!Inputs(argv[i], &files)) {
      std::fprintf(stderr, "%s: not a readable file or directory\n", argv[i]);
      return 1;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "no inputs: name corpus directories or files\n");
    return 1;
  }
  for (const fs::path& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string data = ss.str();
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(data.data()), data.size());
  }
  std::printf("%zu inputs replayed, every check passed\n", files.size());
  return 0;
}
