#pragma once
// Executor: how other threads reach the loop that owns state (DESIGN.md "one owner").
// Post() may be called from any thread; the task runs later on the owner thread.

#include <functional>

namespace sluice {

class Executor {
 public:
  virtual ~Executor() = default;
  // Any thread. The task must not throw; it runs on the owner thread.
  virtual void Post(std::function<void()> task) = 0;
};

}  // namespace sluice
