#include "broker/event_loop.h"

#include <event2/thread.h>
#include <glog/logging.h>
#include <signal.h>

namespace sluice::broker {

namespace {
void InitLibeventThreadsOnce() {
  // Must precede event_base_new(), or event_active() from another thread races.
  static const int rc = evthread_use_pthreads();
  CHECK_EQ(rc, 0) << "evthread_use_pthreads failed";
}
}  // namespace

Timer::~Timer() { Cancel(); }

void Timer::Cancel() {
  if (ev_ != nullptr) {
    event_free(ev_);
    ev_ = nullptr;
  }
}

void Timer::OnFire(evutil_socket_t, short, void* arg) {
  auto* timer = static_cast<Timer*>(arg);
  if (timer->periodic_) {
    timer->fn_();  // may destroy the timer: nothing after this line
    return;
  }
  // One-shot: the callback may destroy the Timer; move the function out first.
  std::function<void()> fn = timer->fn_;
  fn();
}

EventLoop::EventLoop() : owner_(std::this_thread::get_id()) {
  InitLibeventThreadsOnce();
  signal(SIGPIPE, SIG_IGN);
  base_ = event_base_new();
  CHECK(base_ != nullptr) << "event_base_new failed";
  wakeup_ = event_new(base_, -1, EV_PERSIST, &EventLoop::OnWakeup, this);
  CHECK(wakeup_ != nullptr);
}

EventLoop::~EventLoop() {
  for (event* ev : signal_events_) event_free(ev);
  if (wakeup_ != nullptr) event_free(wakeup_);
  if (base_ != nullptr) event_base_free(base_);
}

void EventLoop::Post(std::function<void()> task) {
  std::unique_lock<std::mutex> lock(inbox_mu_);
  bool was_empty = inbox_.empty();
  inbox_.push_back(std::move(task));
  lock.unlock();
  if (was_empty) event_active(wakeup_, EV_READ, 0);
}

void EventLoop::OnWakeup(evutil_socket_t, short, void* arg) {
  static_cast<EventLoop*>(arg)->DrainInbox();
}

void EventLoop::DrainInbox() {
  std::vector<std::function<void()>> batch;
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    batch.swap(inbox_);
  }
  for (auto& task : batch) task();  // outside the lock: a task may Post() again
}

int EventLoop::Run() {
  owner_ = std::this_thread::get_id();
  // Tasks posted before Run() found an inactive event base; pick them up now.
  {
    std::lock_guard<std::mutex> lock(inbox_mu_);
    if (!inbox_.empty()) event_active(wakeup_, EV_READ, 0);
  }
  event_base_loop(base_, EVLOOP_NO_EXIT_ON_EMPTY);
  DrainInbox();
  return 0;
}

void EventLoop::Stop() { event_base_loopbreak(base_); }

std::unique_ptr<Timer> EventLoop::MakeTimer(int64_t ms, bool periodic, std::function<void()> fn) {
  std::unique_ptr<Timer> timer(new Timer());
  timer->periodic_ = periodic;
  timer->fn_ = std::move(fn);
  timer->ev_ = event_new(base_, -1, periodic ? EV_PERSIST : 0, &Timer::OnFire, timer.get());
  CHECK(timer->ev_ != nullptr);
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  event_add(timer->ev_, &tv);
  return timer;
}

std::unique_ptr<Timer> EventLoop::RunAfter(int64_t ms, std::function<void()> fn) {
  return MakeTimer(ms < 0 ? 0 : ms, /*periodic=*/false, std::move(fn));
}

std::unique_ptr<Timer> EventLoop::RunEvery(int64_t ms, std::function<void()> fn) {
  return MakeTimer(ms <= 0 ? 1 : ms, /*periodic=*/true, std::move(fn));
}

void EventLoop::OnTerminate(std::function<void()> fn) {
  on_terminate_ = std::move(fn);
  if (!signal_events_.empty()) return;
  for (int sig : {SIGTERM, SIGINT}) {
    event* ev = evsignal_new(base_, sig, &EventLoop::OnSignal, this);
    CHECK(ev != nullptr);
    event_add(ev, nullptr);
    signal_events_.push_back(ev);
  }
}

void EventLoop::OnSignal(evutil_socket_t sig, short, void* arg) {
  auto* loop = static_cast<EventLoop*>(arg);
  LOG(INFO) << "signal_received signal=" << strsignal(static_cast<int>(sig));
  if (loop->on_terminate_) loop->on_terminate_();
}

}  // namespace sluice::broker
