#pragma once
// EventLoop: owns the libevent event_base of the broker; the one thread that runs Run() owns all
// broker state (STYLE.md §2). Post() is the only member callable from other threads.
// Lifecycle: construct (any thread), Run() on the owner thread until Stop(), destroy after Run()
// returned. Timers and signal handlers are loop-thread only.

#include <event2/event.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "common/executor.h"

namespace sluice::broker {

class EventLoop;

// A one-shot or periodic timer; cancelled when destroyed. Loop thread only.
class Timer {
 public:
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;
  void Cancel();

 private:
  friend class EventLoop;
  Timer() = default;
  static void OnFire(evutil_socket_t, short, void* arg);
  event* ev_ = nullptr;
  bool periodic_ = false;
  std::function<void()> fn_;
};

class EventLoop : public Executor {
 public:
  EventLoop();
  ~EventLoop() override;
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // Any thread. Runs `task` on the loop thread; tasks posted before Stop() still run if the loop
  // is running; one wake-up per batch, the inbox drained whole.
  void Post(std::function<void()> task) override;

  // Loop thread (or before Run): runs until Stop(). Returns 0.
  int Run();
  // Any thread: asks Run() to return after the current iteration.
  void Stop();

  // Loop thread. `fn` runs once after `ms`; the returned Timer cancels on destruction.
  std::unique_ptr<Timer> RunAfter(int64_t ms, std::function<void()> fn);
  // Loop thread. `fn` runs every `ms` until the Timer is destroyed.
  std::unique_ptr<Timer> RunEvery(int64_t ms, std::function<void()> fn);
  // Loop thread: `fn` runs on SIGTERM or SIGINT (on the loop thread). SIGPIPE is ignored from
  // construction on.
  void OnTerminate(std::function<void()> fn);

  // True on the thread running Run() (or before Run() was called, on the constructing thread).
  bool InLoopThread() const { return std::this_thread::get_id() == owner_; }
  event_base* base() { return base_; }

 private:
  static void OnWakeup(evutil_socket_t, short, void* arg);
  static void OnSignal(evutil_socket_t, short, void* arg);
  void DrainInbox();
  std::unique_ptr<Timer> MakeTimer(int64_t ms, bool periodic, std::function<void()> fn);

  event_base* base_ = nullptr;
  event* wakeup_ = nullptr;
  std::vector<event*> signal_events_;
  std::function<void()> on_terminate_;
  std::thread::id owner_;

  std::mutex inbox_mu_;
  std::vector<std::function<void()>> inbox_;  // guarded by inbox_mu_
};

}  // namespace sluice::broker
