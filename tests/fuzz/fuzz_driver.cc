// Corpus-replay driver for fuzz targets when libFuzzer is not available (gcc builds, CI): runs
// LLVMFuzzerTestOneInput over every file under the given directories, then over deterministic
// pseudo-random mutations of them, bounded in count and time. A crash or abort fails the test.
//
// Usage: <target> [--mutations=N] [--max-seconds=S] [--seed=K] DIR_OR_FILE...

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

void Collect(const std::string& path, std::vector<std::string>* files) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) return;
  if (S_ISREG(st.st_mode)) {
    files->push_back(path);
    return;
  }
  if (!S_ISDIR(st.st_mode)) return;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return;
  std::vector<std::string> names;
  while (dirent* e = readdir(dir)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) {
      names.push_back(e->d_name);
    }
  }
  closedir(dir);
  std::sort(names.begin(), names.end());  // deterministic order
  for (const std::string& n : names) Collect(path + "/" + n, files);
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

struct Rng {
  uint64_t state;
  uint64_t Next() {  // xorshift64*
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 2685821657736338717ULL;
  }
  size_t Below(size_t n) { return n == 0 ? 0 : static_cast<size_t>(Next() % n); }
};

std::string Mutate(const std::vector<std::string>& corpus, Rng& rng) {
  std::string s = corpus[rng.Below(corpus.size())];
  int ops = 1 + static_cast<int>(rng.Below(4));
  for (int i = 0; i < ops; ++i) {
    size_t pos = rng.Below(s.size() + 1);
    switch (rng.Below(8)) {
      case 0:  // flip a bit
        if (!s.empty()) s[rng.Below(s.size())] ^= static_cast<char>(1 << rng.Below(8));
        break;
      case 1:  // random byte
        if (!s.empty()) s[rng.Below(s.size())] = static_cast<char>(rng.Next());
        break;
      case 2: {  // interesting value (lengths, counts, varints)
        static const char kValues[] = {'\x00', '\x01', '\x7f', '\x80', '\xff', '\xfe'};
        if (!s.empty()) s[rng.Below(s.size())] = kValues[rng.Below(sizeof(kValues))];
        break;
      }
      case 3:  // truncate
        s.resize(pos);
        break;
      case 4:  // erase a range
        if (pos < s.size()) s.erase(pos, 1 + rng.Below(16));
        break;
      case 5:  // insert random bytes
        s.insert(pos, std::string(1 + rng.Below(8), static_cast<char>(rng.Next())));
        break;
      case 6: {  // splice with another input
        const std::string& other = corpus[rng.Below(corpus.size())];
        size_t from = rng.Below(other.size() + 1);
        s = s.substr(0, pos) + other.substr(from);
        break;
      }
      default:  // int32 -1 / huge at a random position (null markers, hostile counts)
        if (s.size() >= 4) {
          size_t p = rng.Below(s.size() - 3);
          std::memset(&s[p], rng.Below(2) ? 0xff : 0x7f, 4);
        }
        break;
    }
  }
  return s;
}

void Run(const std::string& input) {
  // Exact-size heap copy, so an out-of-bounds read hits a redzone under ASan.
  std::vector<uint8_t> copy(input.begin(), input.end());
  LLVMFuzzerTestOneInput(copy.empty() ? nullptr : copy.data(), copy.size());
}

}  // namespace

int main(int argc, char** argv) {
  long mutations = 10000;
  double max_seconds = 60;
  uint64_t seed = 0x5eed;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.rfind("--mutations=", 0) == 0) {
      mutations = std::atol(arg.c_str() + 12);
    } else if (arg.rfind("--max-seconds=", 0) == 0) {
      max_seconds = std::atof(arg.c_str() + 14);
    } else if (arg.rfind("--seed=", 0) == 0) {
      seed = std::strtoull(arg.c_str() + 7, nullptr, 0);
    } else {
      Collect(arg, &files);
    }
  }
  std::vector<std::string> corpus;
  for (const std::string& f : files) corpus.push_back(ReadFile(f));
  if (corpus.empty()) {
    std::fprintf(stderr, "fuzz_driver: no corpus files\n");
    return 1;
  }
  Run("");
  for (const std::string& input : corpus) Run(input);
  auto start = std::chrono::steady_clock::now();
  Rng rng{seed};
  long done = 0;
  for (; done < mutations; ++done) {
    if ((done & 255) == 0) {
      std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
      if (elapsed.count() > max_seconds) break;
    }
    Run(Mutate(corpus, rng));
  }
  std::printf("fuzz_driver: %zu corpus inputs, %ld mutations, no crash\n", corpus.size(), done);
  return 0;
}
