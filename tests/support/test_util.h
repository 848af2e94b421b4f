#pragma once
// Small helpers shared by tests: condition waits with a deadline (never sleep-and-hope), free
// loopback ports from the OS, self-removing temporary directories, running a shell command.
// Thread: any; TempDir is owned by one thread.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "common/executor.h"
#include "common/status.h"

namespace sluice::testing {

// Polls `condition` every `poll` until it returns true (true) or `deadline` passes (false).
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds deadline,
             std::chrono::milliseconds poll = std::chrono::milliseconds(20));

// A loopback TCP port the OS reported free (bound to port 0, then released). Another process may
// take it before the caller binds it; callers that start servers retry on a bind failure.
int FreePort();

// A fresh directory under $TMPDIR (or /tmp), removed recursively when the object dies.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "sluice");
  ~TempDir();
  TempDir(TempDir&& other) noexcept;
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  // Keeps the directory after destruction (for post-mortem of a failed test).
  void Keep() { keep_ = true; }

 private:
  std::string path_;
  bool keep_ = false;
};

struct CommandOutput {
  int exit_code = -1;  // exit status, or 128 + signal
  std::string output;  // stdout and stderr, interleaved
};

// Runs `shell_command` with /bin/sh, capturing stdout+stderr. Blocks until it exits.
Result<CommandOutput> RunCommand(const std::string& shell_command);

// An Executor with its own thread: stands in for the broker's loop in tests of loop-owned
// classes. Tasks run in Post order on that thread. The destructor runs what is queued, then
// joins. RunSync runs a closure on the loop and waits for it (never call it from the loop).
class TestLoop : public Executor {
 public:
  TestLoop();
  ~TestLoop() override;
  TestLoop(const TestLoop&) = delete;
  TestLoop& operator=(const TestLoop&) = delete;

  void Post(std::function<void()> task) override;
  void RunSync(const std::function<void()>& fn);
  bool OnLoop() const { return std::this_thread::get_id() == thread_.get_id(); }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace sluice::testing
